"""Token and userinfo endpoints (RFC 6749 §4.1.3 and §5, RFC 7636 §4.6, OIDC Core §3.1.3, §5.3).

As fcp-low: authorization_code grant only; client_secret_post (client_secret_basic also
accepted here); codes single use, 30 s; a replayed code revokes the tokens it gave; the
id_token and the userinfo response are ES256 JWTs living 60 s (design note §4).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from urllib.parse import unquote

from devtools.fc_standin.errors import StandinError
from devtools.fc_standin.identities import scope_claims
from devtools.fc_standin.state import (
    ACCESS_TOKEN_TTL, ID_TOKEN_TTL, AccessToken, AuthorizationCode, Client, StandinState,
)

log = logging.getLogger("devtools.fc_standin")

# The amr FC sends comes from the FI's static registration; the demo FI is a password one.
DEMO_AMR = ["pwd"]


def invalid_client(description: str) -> StandinError:
    return StandinError("invalid_client", description, status=401)


def invalid_grant(description: str) -> StandinError:
    return StandinError("invalid_grant", description)


def authenticate_client(form: dict, authorization: str | None, standin: StandinState) -> Client:
    """client_secret_post, or client_secret_basic (RFC 6749 §2.3.1)."""
    if form.get("client_assertion"):
        raise invalid_client("private_key_jwt is advertised as FC does, but the stand-in "
                             "only checks client secrets")
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if authorization and authorization.lower().startswith("basic "):
        client_id, secret = _basic_credentials(authorization)
    client = standin.clients.get(client_id or "")
    if client is None or secret is None:
        raise invalid_client("client authentication failed")
    if not hmac.compare_digest(secret.encode(), client.client_secret.encode()):
        log.warning("client_auth_failed client_id=%s", client.client_id)
        raise invalid_client("client authentication failed")
    return client


def exchange_code(form: dict, client: Client, standin: StandinState) -> dict:
    """The token response for an authorization code (5 properties, as FC)."""
    if form.get("grant_type") != "authorization_code":
        raise StandinError("unsupported_grant_type", "only authorization_code is supported")
    code = _redeem(form.get("code") or "", client, standin)
    if form.get("redirect_uri") != code.interaction.redirect_uri:
        raise invalid_grant("redirect_uri does not match the authorization request")
    _check_pkce(code, form.get("code_verifier"))
    access = AccessToken(token=secrets.token_urlsafe(32), client_id=client.client_id, identity=code.identity,
                         sub=code.sub, sid=code.sid, scopes=code.interaction.scopes, code=code.code,
                         expires_at=standin.now() + ACCESS_TOKEN_TTL)
    standin.access_tokens[access.token] = access
    log.info("token_issued client_id=%s", client.client_id)
    return {
        "access_token": access.token,
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_TTL,
        "id_token": standin.signing_key.sign(id_token_claims(code, standin)),
        "scope": " ".join(code.interaction.scopes),
    }


def id_token_claims(code: AuthorizationCode, standin: StandinState) -> dict:
    now = int(standin.now())
    claims = {
        "iss": standin.issuer, "aud": code.interaction.client_id, "sub": code.sub,
        "exp": now + ID_TOKEN_TTL, "iat": now, "auth_time": code.auth_time,
        "nonce": code.interaction.nonce, "acr": code.interaction.acr, "sid": code.sid,
    }
    if code.interaction.amr_requested:
        claims["amr"] = DEMO_AMR
    return claims


def userinfo_jwt(authorization: str | None, standin: StandinState) -> str:
    """The signed userinfo response for a valid Bearer access token."""
    access = _bearer_token(authorization, standin)
    now = int(standin.now())
    claims = {"iss": standin.issuer, "aud": access.client_id, "iat": now, "exp": now + ACCESS_TOKEN_TTL,
              "sub": access.sub, **scope_claims(access.identity, access.scopes)}
    return standin.signing_key.sign(claims)


def _redeem(value: str, client: Client, standin: StandinState) -> AuthorizationCode:
    code = standin.codes.pop(value, None)  # atomic: two concurrent redemptions cannot both win
    if code is None:
        if value in standin.redeemed_codes:
            standin.revoke_tokens_of_code(value)
            log.warning("code_replayed client_id=%s", client.client_id)
        raise invalid_grant("authorization code is invalid, expired or already used")
    standin.redeemed_codes.add(value)
    if code.expires_at < standin.now():
        raise invalid_grant("authorization code is invalid, expired or already used")
    if code.interaction.client_id != client.client_id:
        raise invalid_grant("authorization code was issued to another client")
    return code


def _check_pkce(code: AuthorizationCode, verifier: str | None) -> None:
    challenge = code.interaction.code_challenge
    if challenge is None:
        return
    if not verifier:
        raise invalid_grant("code_verifier is required")
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    if not hmac.compare_digest(computed, challenge):
        raise invalid_grant("PKCE verification failed")


def _bearer_token(authorization: str | None, standin: StandinState) -> AccessToken:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise StandinError("invalid_token", "a Bearer access token is required", status=401)
    access = standin.access_tokens.get(authorization[7:].strip())
    if access is None or access.expires_at < standin.now():
        raise StandinError("invalid_token", "access token is invalid or expired", status=401)
    return access


def _basic_credentials(authorization: str) -> tuple[str | None, str | None]:
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except ValueError:
        return None, None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)
