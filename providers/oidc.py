"""A generic upstream OpenID Connect relying party (Authorization Code flow).

OIDC Core 1.0 §3.1 with PKCE (RFC 7636, S256), discovery (OIDC Discovery 1.0), key rotation
(refetch the JWKS once on an unknown key, franceconnect.md §10), nested signed-then-encrypted
ID tokens and userinfo (§10.2, §16.14) and RP-initiated logout. The steps of
:meth:`OIDCProvider.complete` are listed in order in that one method; each is a small method
raising :class:`UpstreamError` with a stable code. HTTP goes through Authlib's requests client
for the token and userinfo calls, JOSE through joserfc.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc.errors import ClaimError, ExpiredTokenError
from joserfc.jwt import JWTClaimsRegistry

from .config import UpstreamConfig, default_encryption_alg
from .errors import UpstreamError, safe_value
from .metadata import DiscoveryCache, JWKSCache
from .nested_jwt import SignatureInvalid, decrypt, is_encrypted, signing_alg, verify
from .token_client import exchange_code, fetch_userinfo
from .upstream import PendingAuthorization, UpstreamIdentity

__all__ = ["OIDCProvider", "UpstreamConfig", "UpstreamError", "UpstreamIdentity", "PendingAuthorization"]

#: Random values of this many letters and digits: FranceConnect wants alphanumerics, at least
#: 22 (current docs) or 32 (older docs); 43 gives 256 bits (franceconnect.md §2, §10).
RANDOM_LENGTH = 43
PKCE_VERIFIER_LENGTH = 64
#: Parameters the provider sets itself; ``extra`` may not override them.
RESERVED_PARAMS = frozenset(
    {"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method"}
)
#: The JWT envelope of a signed userinfo response, left out of ``UpstreamIdentity.claims``.
ENVELOPE_CLAIMS = frozenset({"iss", "aud", "exp", "iat", "nbf", "jti"})


class OIDCProvider:
    """An upstream OpenID Provider the IdP sends citizens to, and the checks on its answer."""

    def __init__(
        self, config: UpstreamConfig, *, session: requests.Session | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.config = config
        self._http = session if session is not None else requests.Session()
        self._clock = clock
        self._decryption_keys = config.encryption_keys()
        self._discovery = (
            DiscoveryCache(self._get_json, config.discovery_url, config.issuer, config.cache_ttl, clock)
            if config.discovery_url
            else None
        )
        self._jwks = JWKSCache(self._get_json, config.cache_ttl, clock)

    @property
    def name(self) -> str:
        return self.config.name

    # -- metadata -------------------------------------------------------------------------

    def metadata(self) -> dict:
        """Endpoints and issuer: the discovery document, explicit settings taking precedence."""
        document = dict(self._discovery.get()) if self._discovery else {}
        for name in ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
                     "end_session_endpoint"):
            if getattr(self.config, name):
                document[name] = getattr(self.config, name)
        return document

    def _get_json(self, url: str) -> dict:
        """GET a JSON object (discovery, JWKS); network trouble is ``upstream_unavailable``."""
        try:
            response = self._http.get(url, timeout=self.config.timeout, headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise UpstreamError("upstream_unavailable", f"GET {url} failed: {type(exc).__name__}") from None
        if response.status_code >= 500:
            raise UpstreamError("upstream_unavailable", f"GET {url} answered HTTP {response.status_code}")
        try:
            document = response.json() if response.status_code == 200 else None
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise UpstreamError("config", f"GET {url} did not return a JSON object (HTTP {response.status_code})")
        return document

    # -- authorization request (OIDC Core §3.1.2.1) ---------------------------------------

    def authorization_url(
        self, redirect_uri: str, *, extra: Mapping[str, str] | None = None
    ) -> tuple[str, PendingAuthorization]:
        """The URL to send the browser to, and what to store until the callback.

        ``extra`` adds parameters (``acr_values``, ``prompt``…); it may not replace the ones
        that carry the security of the flow (``RESERVED_PARAMS``). ``acr_values`` is kept in
        the pending record as the level asked for.
        """
        extra = dict(extra or {})
        clash = RESERVED_PARAMS.intersection(extra)
        if clash:
            raise ValueError(f"extra parameters may not set {', '.join(sorted(clash))}")
        pending = PendingAuthorization(
            state=generate_token(RANDOM_LENGTH),
            nonce=generate_token(RANDOM_LENGTH),
            code_verifier=generate_token(PKCE_VERIFIER_LENGTH) if self.config.use_pkce else None,
            redirect_uri=redirect_uri,
            acr=extra.get("acr_values"),
            created_at=int(self._clock()),
        )
        if pending.code_verifier:
            extra.update(code_challenge=create_s256_code_challenge(pending.code_verifier), code_challenge_method="S256")
        url = prepare_grant_uri(
            self.metadata()["authorization_endpoint"],
            client_id=self.config.client_id,
            response_type="code",
            redirect_uri=redirect_uri,
            scope=" ".join(self.config.scopes),
            state=pending.state,
            nonce=pending.nonce,
            **extra,
        )
        return url, pending

    # -- callback ------------------------------------------------------------------------

    def complete(self, params: Mapping[str, Any], pending: PendingAuthorization) -> UpstreamIdentity:
        """Turn the callback into a verified identity, or raise ``UpstreamError``.

        The order matters: nothing is sent to the upstream before the callback is known to
        belong to this login, and no personal data is fetched before the ID token is verified.
        """
        code = self._check_callback(params, pending)
        metadata = self.metadata()
        token, oauth = exchange_code(self.config, self._http, metadata["token_endpoint"], code, pending)
        id_claims = self._verify_id_token(token["id_token"], metadata["issuer"], pending)
        self._check_authentication(id_claims, pending)
        claims = self._userinfo(oauth, metadata, id_claims)
        return self._identity(id_claims, claims, self._signed_form(token["id_token"]))

    def _signed_form(self, raw: str) -> str:
        """The ID token as the upstream signed it, kept as the logout ``id_token_hint``: an
        encrypted one (FranceConnect+) was encrypted to our key, which the upstream cannot
        open, while it can verify its own signature on the inner token."""
        return decrypt(raw, self._decryption_keys, code="bad_id_token") if is_encrypted(raw) else raw

    def _check_callback(self, params: Mapping[str, Any], pending: PendingAuthorization) -> str:
        """OIDC Core §3.1.2.5-6 and RFC 6749 §10.12: error, then state, then code."""
        error = params.get("error")
        if error:
            if error == "access_denied":
                raise UpstreamError("access_denied", "the user refused or cancelled the upstream login")
            raise UpstreamError("callback_error", f"upstream returned error={safe_value(error)}")
        state = params.get("state")
        if not isinstance(state, str) or not hmac.compare_digest(state.encode(), pending.state.encode()):
            raise UpstreamError("state_mismatch", "callback state does not match the pending login")
        code = params.get("code")
        if not isinstance(code, str) or not code:
            raise UpstreamError("missing_code", "callback carries neither error nor code")
        return code

    def _verify_id_token(self, raw: str, issuer: str, pending: PendingAuthorization) -> dict:
        """OIDC Core §3.1.3.7: decryption, signature, iss, aud/azp, exp/iat, nonce."""
        claims = self.open_jwt(raw, code="bad_id_token")
        registry = JWTClaimsRegistry(
            now=lambda: int(self._clock()),
            leeway=self.config.leeway,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": self.config.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise UpstreamError("expired", "ID token has expired") from None
        except ClaimError as exc:
            raise UpstreamError("bad_id_token", f"ID token claim {safe_value(exc.claim)} is invalid") from None
        self._check_azp(claims)
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not hmac.compare_digest(nonce.encode(), pending.nonce.encode()):
            raise UpstreamError("nonce_mismatch", "ID token nonce does not match the pending login")
        return claims

    def _check_azp(self, claims: dict) -> None:
        """§3.1.3.7 items 4-5: with several audiences, ``azp`` must name us."""
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        azp = claims.get("azp")
        if (len(audiences) > 1 or azp is not None) and azp != self.config.client_id:
            raise UpstreamError("bad_id_token", "ID token azp is not our client_id")

    def _check_authentication(self, id_claims: dict, pending: PendingAuthorization) -> None:
        """Hook for provider-specific rules on acr/amr (FranceConnect's eIDAS levels)."""

    def _userinfo(self, oauth, metadata: dict, id_claims: dict) -> dict:
        """OIDC Core §5.3: JSON or ``application/jwt``; ``sub`` must be the ID token's."""
        endpoint = metadata.get("userinfo_endpoint")
        if not endpoint:
            return {k: v for k, v in id_claims.items() if k not in ENVELOPE_CLAIMS}
        response = fetch_userinfo(oauth, endpoint, self.config.timeout)
        if response.is_jwt:
            claims = self.open_jwt(response.body, code="userinfo_error")
            self._check_userinfo_envelope(claims, metadata["issuer"])
        elif self.config.userinfo_jwt_required:
            raise UpstreamError("userinfo_not_jwt", "userinfo is not application/jwt although a signed JWT is required")
        else:
            claims = response.json_object()
        if claims.get("sub") != id_claims["sub"]:
            raise UpstreamError("subject_mismatch", "userinfo sub differs from the ID token sub")
        return {k: v for k, v in claims.items() if k not in ENVELOPE_CLAIMS}

    def _check_userinfo_envelope(self, claims: dict, issuer: str) -> None:
        """§5.3.2: a signed userinfo SHOULD carry iss and aud; when present they must be right."""
        registry = JWTClaimsRegistry(
            now=lambda: int(self._clock()),
            leeway=self.config.leeway,
            iss={"value": issuer},
            aud={"value": self.config.client_id},
        )
        try:
            registry.validate(claims)
        except ClaimError as exc:
            raise UpstreamError("userinfo_error", f"userinfo claim {safe_value(exc.claim)} is invalid") from None

    def _identity(self, id_claims: dict, claims: dict, raw_id_token: str) -> UpstreamIdentity:
        amr = id_claims.get("amr") or ()
        if isinstance(amr, str):  # tolerate "pwd mail" (franceconnect.md §3 lists such values)
            amr = amr.split()
        auth_time = id_claims.get("auth_time")
        acr = id_claims.get("acr")
        return UpstreamIdentity(
            provider=self.name,
            subject=id_claims["sub"],
            acr=acr if isinstance(acr, str) else None,
            amr=tuple(str(value) for value in amr),
            auth_time=_numeric_date(auth_time),
            claims=claims,
            id_token=raw_id_token,
        )

    # -- JOSE ------------------------------------------------------------------------------

    def open_jwt(self, compact: object, *, code: str) -> dict:
        """Decrypt (when a JWE) then verify a JWT from the upstream; return its claims.

        ``code`` is the error for a malformed token; a signature that no key verifies, or an
        algorithm outside ``allowed_algs`` (never ``none`` nor HS*), is ``bad_signature``.
        """
        if not isinstance(compact, str) or not compact:
            raise UpstreamError(code, "token is missing")
        if is_encrypted(compact):
            if not self._decryption_keys:
                raise UpstreamError("config", "encrypted response but no encryption_jwks configured")
            compact = decrypt(compact, self._decryption_keys, code=code)
        elif self.config.encryption_required:
            raise UpstreamError(code, "response is signed but not encrypted, encryption is required")
        header, alg = signing_alg(compact, code=code)
        if alg not in self.config.allowed_algs:
            raise UpstreamError("bad_signature", f"signature algorithm {safe_value(alg)} is not allowed")
        return self._verify_signature(compact, header, code)

    def _verify_signature(self, compact: str, header: dict, code: str) -> dict:
        """Verify with the cached JWKS, then once more with a refetched one (key rotation)."""
        jwks_uri = self.metadata()["jwks_uri"]
        keys = self._jwks.get(jwks_uri)
        try:
            return verify(compact, keys, header, self.config.allowed_algs, code=code)
        except SignatureInvalid:
            pass
        fresh = self._jwks.refreshed(jwks_uri, keys)
        if fresh is not None:
            try:
                return verify(compact, fresh, header, self.config.allowed_algs, code=code)
            except SignatureInvalid:
                pass
        kid = safe_value(header.get("kid"))
        raise UpstreamError("bad_signature", f"no upstream key verifies the signature (kid {kid})")

    # -- logout and our keys ---------------------------------------------------------------

    def end_session_url(
        self, id_token_hint: str, post_logout_redirect_uri: str | None, state: str | None
    ) -> str | None:
        """RP-initiated logout (OIDC RP-Initiated Logout 1.0 §2), or None without an endpoint."""
        endpoint = self.metadata().get("end_session_endpoint")
        if not endpoint:
            return None
        params = [
            ("id_token_hint", id_token_hint),
            ("state", state),
            ("post_logout_redirect_uri", post_logout_redirect_uri),
        ]
        return add_params_to_uri(endpoint, [(name, value) for name, value in params if value])

    def public_jwks(self) -> dict:
        """The public halves of our encryption keys, for the upstream to encrypt to us."""
        keys = []
        for key in self._decryption_keys:
            public = dict(key.as_dict(private=False))
            public.pop("key_ops", None)
            public.update(use="enc", alg=default_encryption_alg(key), kid=key.kid)
            keys.append(public)
        return {"keys": keys}


def _numeric_date(value: object) -> int | None:
    """An RFC 7519 NumericDate as an int, or None when absent or not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)
