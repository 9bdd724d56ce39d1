"""FranceConnect v2 and FranceConnect+ as an upstream provider ("S'identifier avec FranceConnect").

Built on :class:`providers.oidc.OIDCProvider`; this module adds only what FranceConnect
requires, each rule citing the section of the design notes ``franceconnect.md`` that
establishes it (in brackets):

- endpoints under ``/api/v2`` with discovery, integration and production hosts [§1];
- ``acr_values``, ``state`` and ``nonce`` always sent, state and nonce alphanumeric and long
  [§2, §10]; ``prompt`` only ``login``, ``consent`` or ``login consent`` [§2];
- eIDAS levels: ``eidas1`` on FranceConnect, ``eidas2``/``eidas3`` on FranceConnect+, and the
  returned ``acr`` at least the one asked [§3];
- ID token signed ES256 or RS256 only, userinfo always a signed JWT, and on FranceConnect+
  both signed then encrypted (RSA-OAEP-256, RSA-OAEP or ECDH-ES with A256GCM) [§4];
- 60-second ID tokens, so the clock-skew leeway matters [§4, §10];
- logout at ``/session/end`` with ``id_token_hint``, ``state`` and ``post_logout_redirect_uri`` [§6].

The v1 API (HS256 ID tokens, JSON userinfo) is deliberately not supported: it is legacy [§4].
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from authlib.common.urls import add_params_to_uri

from .config import UpstreamConfig, UpstreamEndpoints
from .errors import UpstreamError, safe_value
from .oidc import OIDCProvider
from .upstream import PendingAuthorization, UpstreamIdentity

__all__ = ["ENVIRONMENTS", "EIDAS_LEVELS", "FranceConnectConfig", "FranceConnect"]

#: Base URLs (= issuers) of the platforms [§1]; discovery at ``<base>/.well-known/openid-configuration``.
ENVIRONMENTS = {
    "integration": "https://fcp-low.integ01.dev-franceconnect.fr/api/v2",
    "production": "https://oidc.franceconnect.gouv.fr/api/v2",
    "integration-plus": "https://auth.integ01.dev-franceconnect.fr/api/v2",
    "production-plus": "https://auth.franceconnect.gouv.fr/api/v2",
}
#: The only acr values FranceConnect knows, lowest first [§3].
EIDAS_LEVELS = ("eidas1", "eidas2", "eidas3")
#: fcp-low accepts only eidas1; fcp-high only eidas2 and eidas3 (eidas1 → invalid_acr) [§3].
_ACR_BY_PLATFORM = {False: ("eidas1",), True: ("eidas2", "eidas3")}
#: ``none``, ``select_account`` or an empty prompt make FranceConnect fail with Y030007 [§2].
PROMPTS = ("login", "consent", "login consent")
#: FranceConnect offers only these two signature algorithms [§4]; HS256 (v1) is refused.
SIGNING_ALGS = ("ES256", "RS256")
DISCOVERY_PATH = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class FranceConnectConfig(UpstreamEndpoints):
    """Settings of the FranceConnect (or FranceConnect+) client, checked at construction.

    Give ``environment`` (a key of ``ENVIRONMENTS``), or ``discovery_url`` / explicit endpoints
    (the local development stand-in serves ``http://127.0.0.1:<port>/api/v2``). ``plus`` is
    True on the ``-plus`` environments; set it yourself for a FranceConnect+ stand-in.
    FranceConnect+ encrypts to us, so it needs ``encryption_jwks`` (private keys) [§4].
    """

    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    environment: str | None = None
    token_endpoint_auth_method: str = "client_secret_post"
    client_private_jwk: dict | None = field(default=None, repr=False)
    acr: str = "eidas1"
    scopes: tuple[str, ...] = ("openid", "identite_pivot", "email")
    idp_hint: str | None = None
    encryption_jwks: tuple[dict, ...] = field(default=(), repr=False)
    timeout: float = 5.0
    leeway: int = 60
    use_pkce: bool = True
    plus: bool = False

    def __post_init__(self) -> None:
        self._resolve_platform()
        scopes = tuple(self.scopes)
        object.__setattr__(self, "scopes", scopes if "openid" in scopes else ("openid", *scopes))
        object.__setattr__(self, "encryption_jwks", tuple(self.encryption_jwks or ()))
        if self.token_endpoint_auth_method not in ("client_secret_post", "private_key_jwt"):
            raise ValueError("token_endpoint_auth_method must be client_secret_post or private_key_jwt")
        allowed = _ACR_BY_PLATFORM[self.plus]
        if self.acr not in allowed:
            platform = "FranceConnect+" if self.plus else "FranceConnect"
            raise ValueError(f"acr must be one of {', '.join(allowed)} on {platform}")
        if self.plus and not self.encryption_jwks:
            raise ValueError("FranceConnect+ needs encryption_jwks: it encrypts ID tokens and userinfo")
        self.upstream_config()  # the generic checks (endpoints, keys, secret) fail early too

    def _resolve_platform(self) -> None:
        if self.environment is None:
            if not self.discovery_url and not self.issuer:
                raise ValueError("set environment, discovery_url or issuer with endpoints")
            return
        if self.environment not in ENVIRONMENTS:
            raise ValueError(f"environment must be one of {', '.join(ENVIRONMENTS)}")
        if self.discovery_url:
            raise ValueError("set either environment or discovery_url, not both")
        plus_environment = self.environment.endswith("-plus")
        if self.plus and not plus_environment:
            raise ValueError(f"plus=True contradicts environment {self.environment}")
        object.__setattr__(self, "plus", plus_environment)

    @property
    def base_url(self) -> str | None:
        """The issuer of the chosen environment, when one is chosen."""
        return ENVIRONMENTS.get(self.environment) if self.environment else None

    def upstream_config(self) -> UpstreamConfig:
        """The generic relying-party settings FranceConnect's rules translate to."""
        base = self.base_url
        endpoints = {**self.endpoints(), "issuer": self.issuer or base,
                     "discovery_url": self.discovery_url or (base + DISCOVERY_PATH if base else None)}
        return UpstreamConfig(
            name="franceconnect",
            client_id=self.client_id,
            client_secret=self.client_secret,
            **endpoints,
            scopes=self.scopes,
            token_endpoint_auth_method=self.token_endpoint_auth_method,
            client_private_jwk=self.client_private_jwk,
            allowed_algs=SIGNING_ALGS,
            encryption_jwks=self.encryption_jwks,
            use_pkce=self.use_pkce,
            leeway=self.leeway,
            timeout=self.timeout,
            userinfo_jwt_required=True,  # v2 userinfo is application/jwt [§4]
            encryption_required=self.plus,  # FC+ signs then encrypts [§4]
        )


class _FranceConnectRP(OIDCProvider):
    """The generic relying party plus FranceConnect's eIDAS rule on the ID token."""

    def __init__(self, config: UpstreamConfig, *, default_acr: str, **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._default_acr = default_acr

    def _check_authentication(self, id_claims: dict, pending: PendingAuthorization) -> None:
        """The returned acr must be a known eIDAS level, at least the one asked [§3].

        FranceConnect+ may answer eidas3 when eidas2 was asked; a lower or missing level means
        the person was not authenticated as strongly as the service requires. Checked before
        the userinfo call so that no personal data is fetched for a refused login.
        """
        asked = pending.acr if pending.acr in EIDAS_LEVELS else self._default_acr
        acr = id_claims.get("acr")
        if acr not in EIDAS_LEVELS:
            raise UpstreamError("acr_too_low", f"ID token acr {safe_value(acr)} is not an eIDAS level")
        if EIDAS_LEVELS.index(acr) < EIDAS_LEVELS.index(asked):
            raise UpstreamError("acr_too_low", f"ID token acr {acr} is below the requested {asked}")


class FranceConnect:
    """FranceConnect v2 / FranceConnect+ client: authorization URL, callback, logout."""

    name = "franceconnect"

    def __init__(
        self,
        config: FranceConnectConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._rp = _FranceConnectRP(config.upstream_config(), default_acr=config.acr, session=session, clock=clock)

    @property
    def plus(self) -> bool:
        return self.config.plus

    def authorization_url(
        self,
        redirect_uri: str,
        *,
        prompt: str | None = None,
        idp_hint: str | None = None,
        ui_locales: str | None = None,
    ) -> tuple[str, PendingAuthorization]:
        """The FranceConnect authorize URL and the pending login to store.

        ``acr_values`` is always sent (missing → error Y030007 [§2, §10]); ``idp_hint`` skips
        the identity-provider chooser but must be allowed for our client by FranceConnect [§2].
        """
        if prompt is not None and prompt not in PROMPTS:
            raise ValueError(f"prompt must be one of {', '.join(PROMPTS)}")
        extra = {"acr_values": self.config.acr}
        optional = {"prompt": prompt, "idp_hint": idp_hint or self.config.idp_hint, "ui_locales": ui_locales}
        extra.update({name: value for name, value in optional.items() if value})
        return self._rp.authorization_url(redirect_uri, extra=extra)

    def complete(self, params: Mapping[str, Any], pending: PendingAuthorization) -> UpstreamIdentity:
        """Verify the callback; see :meth:`OIDCProvider.complete` and this module's rules."""
        return self._rp.complete(params, pending)

    def end_session_url(self, id_token_hint: str, post_logout_redirect_uri: str, state: str) -> str:
        """``<base>/session/end?id_token_hint=…&state=…&post_logout_redirect_uri=…`` [§6].

        The docs mark all three parameters required, and the post-logout URI must be
        registered with FranceConnect; the URL is ``/session/end``, not ``/logout`` [§6, §10].
        """
        if not (id_token_hint and post_logout_redirect_uri and state):
            raise ValueError("id_token_hint, post_logout_redirect_uri and state are all required")
        metadata = self._rp.metadata()
        endpoint = metadata.get("end_session_endpoint") or metadata["issuer"].rstrip("/") + "/session/end"
        params = [
            ("id_token_hint", id_token_hint),
            ("state", state),
            ("post_logout_redirect_uri", post_logout_redirect_uri),
        ]
        return add_params_to_uri(endpoint, params)

    def public_jwks(self) -> dict:
        """Our encryption keys' public halves, to publish at the JWKS URL given to FC+ [§4]."""
        return self._rp.public_jwks()
