"""The two back-channel calls of the code flow, through Authlib's requests client.

- Token request (OIDC Core 1.0 §3.1.3.1-4, RFC 6749 §4.1.3) with ``client_secret_post``,
  ``client_secret_basic`` or ``private_key_jwt`` (RFC 7523 §2.2, OIDC Core §9) and the PKCE
  verifier (RFC 7636 §4.5).
- Userinfo request (OIDC Core §5.3.1) with the access token as a Bearer credential.

HTTP failures are sorted once, here: timeouts, connection errors and 5xx mean the upstream is
unavailable (retry later); 4xx and malformed bodies mean it refused us (``token_error``,
``userinfo_error``). Error details carry the HTTP status and the OAuth ``error`` code, never the
response body, which could echo a code or a token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT

from .config import UpstreamConfig, import_private_key
from .errors import UpstreamError, safe_value
from .upstream import PendingAuthorization

__all__ = ["exchange_code", "fetch_userinfo", "UserinfoResponse"]


def exchange_code(
    config: UpstreamConfig, http: requests.Session, token_endpoint: str, code: str, pending: PendingAuthorization
) -> tuple[dict, OAuth2Session]:
    """Exchange the code; return the token response and the session holding the token."""
    oauth = _oauth_session(config, http, token_endpoint)
    extra = {"code_verifier": pending.code_verifier} if pending.code_verifier else {}
    try:
        token = oauth.fetch_token(
            token_endpoint,
            grant_type="authorization_code",
            code=code,
            redirect_uri=pending.redirect_uri,
            timeout=config.timeout,
            **extra,
        )
    except requests.RequestException as exc:
        raise UpstreamError("upstream_unavailable", f"token request failed: {type(exc).__name__}") from None
    except OAuthError as exc:
        raise UpstreamError("token_error", f"token endpoint returned error={safe_value(exc.error)}") from None
    except ValueError:
        raise UpstreamError("token_error", "token response is not a JSON object") from None
    _check_token_response(token)
    return dict(token), oauth


def _check_token_response(token: dict) -> None:
    for name in ("access_token", "id_token"):
        if not isinstance(token.get(name), str) or not token.get(name):
            raise UpstreamError("token_error", f"token response has no {name}")
    if str(token.get("token_type", "")).lower() != "bearer":
        raise UpstreamError("token_error", "token response token_type is not Bearer")


def _oauth_session(config: UpstreamConfig, http: requests.Session, token_endpoint: str) -> OAuth2Session:
    """A short-lived Authlib session (it holds one user's token) sharing ``http``'s pool.

    Authlib's ``leeway`` is set to 0: FranceConnect's access tokens live 60 s
    (franceconnect.md §4) and Authlib's default leeway of 60 s would deem them expired at once.
    """
    method = config.token_endpoint_auth_method
    secret = config.client_secret
    if method == "private_key_jwt":
        secret = import_private_key(config.client_private_jwk, "client_private_jwk")
        secret.ensure_kid()
    oauth = OAuth2Session(config.client_id, secret, token_endpoint_auth_method=method, leeway=0)
    if method == "private_key_jwt":
        alg = "ES256" if secret.key_type == "EC" else "RS256"
        oauth.register_client_auth_method(PrivateKeyJWT(token_endpoint, headers={"kid": secret.kid}, alg=alg))
    oauth.adapters = http.adapters
    oauth.verify, oauth.cert, oauth.proxies, oauth.trust_env = http.verify, http.cert, http.proxies, http.trust_env
    oauth.register_compliance_hook("access_token_response", _sort_token_http_status)
    return oauth


def _sort_token_http_status(response: requests.Response) -> requests.Response:
    """Authlib only raises for error bodies; classify by HTTP status first."""
    if response.status_code >= 500:
        raise UpstreamError("upstream_unavailable", f"token endpoint answered HTTP {response.status_code}")
    if response.status_code >= 400:
        error = safe_value(_oauth_error(response))
        raise UpstreamError("token_error", f"token endpoint answered HTTP {response.status_code} error={error}")
    return response


def _oauth_error(response: requests.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


@dataclass(frozen=True)
class UserinfoResponse:
    """The userinfo body, and whether it was sent as a JWT (``application/jwt``)."""

    is_jwt: bool
    body: str

    def json_object(self) -> dict:
        try:
            claims = json.loads(self.body)
        except ValueError:
            raise UpstreamError("userinfo_error", "userinfo is neither a JWT nor JSON") from None
        if not isinstance(claims, dict):
            raise UpstreamError("userinfo_error", "userinfo JSON is not an object")
        return claims


def fetch_userinfo(oauth: OAuth2Session, endpoint: str, timeout: float) -> UserinfoResponse:
    """GET the userinfo endpoint with the access token held by ``oauth``."""
    try:
        response = oauth.get(endpoint, timeout=timeout, headers={"Accept": "application/jwt, application/json"})
    except requests.RequestException as exc:
        raise UpstreamError("upstream_unavailable", f"userinfo request failed: {type(exc).__name__}") from None
    except OAuthError as exc:
        raise UpstreamError("token_error", f"access token unusable: {safe_value(exc.error)}") from None
    if response.status_code >= 500:
        raise UpstreamError("upstream_unavailable", f"userinfo endpoint answered HTTP {response.status_code}")
    if response.status_code >= 400:
        raise UpstreamError("userinfo_error", f"userinfo endpoint answered HTTP {response.status_code}")
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return UserinfoResponse(is_jwt=media_type == "application/jwt", body=response.text.strip())
