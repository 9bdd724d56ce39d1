"""Settings of one upstream OpenID Connect provider, validated when they are built.

A mistake here (no JWKS, a refused algorithm, a public key where a private one is needed)
would otherwise surface as a failed login in production; ``UpstreamConfig`` raises
ValueError at start-up instead, naming the setting.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from joserfc.errors import JoseError
from joserfc.jwk import Key, import_key

from .nested_jwt import ENCRYPTION_ALGS, REFUSED_SIGNING_ALGS

__all__ = ["UpstreamConfig", "UpstreamEndpoints", "ENDPOINT_FIELDS", "AUTH_METHODS", "import_private_key"]

#: Client authentication at the token endpoint (OIDC Core 1.0 §9).
AUTH_METHODS = ("client_secret_post", "client_secret_basic", "private_key_jwt")
_DEFAULT_ENCRYPTION_ALG = {"RSA": "RSA-OAEP-256", "EC": "ECDH-ES"}


@dataclass(frozen=True, kw_only=True)
class UpstreamEndpoints:
    """Where an upstream provider answers: its discovery document, or its issuer and explicit
    endpoints (each overriding the discovered one). One definition for every configuration
    that names them (:class:`UpstreamConfig`, :class:`providers.franceconnect.FranceConnectConfig`);
    keyword-only, so that a subclass's own fields keep their order."""

    discovery_url: str | None = None
    issuer: str | None = None
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    userinfo_endpoint: str | None = None
    jwks_uri: str | None = None
    end_session_endpoint: str | None = None

    def endpoints(self) -> dict[str, str | None]:
        """The endpoint fields and their values, to hand on to another configuration."""
        return {name: getattr(self, name) for name in ENDPOINT_FIELDS}


#: The names of the endpoint settings, in their order.
ENDPOINT_FIELDS = tuple(f.name for f in fields(UpstreamEndpoints))


@dataclass(frozen=True)
class UpstreamConfig(UpstreamEndpoints):
    """Everything an :class:`~providers.oidc.OIDCProvider` needs to know about one upstream.

    Either ``discovery_url`` (endpoints read from the discovery document, explicit endpoints
    overriding them) or ``issuer`` with explicit endpoints. ``encryption_jwks`` are our
    private keys for ID tokens and userinfo encrypted to us; ``encryption_required`` refuses
    responses that are only signed. ``cache_ttl`` applies to the discovery document and JWKS.
    """

    name: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    scopes: tuple[str, ...] = ("openid",)
    token_endpoint_auth_method: str = "client_secret_basic"
    client_private_jwk: dict | None = field(default=None, repr=False)
    allowed_algs: tuple[str, ...] = ("ES256", "RS256")
    encryption_jwks: tuple[dict, ...] = field(default=(), repr=False)
    use_pkce: bool = True
    leeway: int = 60
    timeout: float = 5.0
    userinfo_jwt_required: bool = False
    encryption_required: bool = False
    cache_ttl: float = 3600.0

    def __post_init__(self) -> None:
        # Frozen: normalise through object.__setattr__, once, before anyone reads the value.
        scopes = tuple(self.scopes)
        object.__setattr__(self, "scopes", scopes if "openid" in scopes else ("openid", *scopes))
        object.__setattr__(self, "allowed_algs", tuple(self.allowed_algs))
        object.__setattr__(self, "encryption_jwks", tuple(self.encryption_jwks or ()))
        self._check_identity()
        self._check_endpoints()
        self._check_client_auth()
        self._check_algorithms()
        self._check_encryption()

    def _check_identity(self) -> None:
        if not self.name or not self.client_id:
            raise ValueError("upstream provider needs a name and a client_id")
        if self.leeway < 0 or self.timeout <= 0 or self.cache_ttl < 0:
            raise ValueError("leeway, timeout and cache_ttl must be positive")

    def _check_endpoints(self) -> None:
        if self.discovery_url:
            return
        missing = [
            name
            for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
            if not getattr(self, name)
        ]
        if missing:
            raise ValueError(f"without discovery_url, set {', '.join(missing)}")

    def _check_client_auth(self) -> None:
        method = self.token_endpoint_auth_method
        if method not in AUTH_METHODS:
            raise ValueError(f"token_endpoint_auth_method must be one of {', '.join(AUTH_METHODS)}")
        if method == "private_key_jwt":
            if not self.client_private_jwk:
                raise ValueError("private_key_jwt needs client_private_jwk")
            import_private_key(self.client_private_jwk, "client_private_jwk")
        elif not self.client_secret:
            raise ValueError(f"{method} needs client_secret")

    def _check_algorithms(self) -> None:
        if not self.allowed_algs:
            raise ValueError("allowed_algs must not be empty")
        refused = REFUSED_SIGNING_ALGS.intersection(self.allowed_algs)
        if refused:
            raise ValueError(f"allowed_algs must not contain {', '.join(sorted(refused))}")

    def _check_encryption(self) -> None:
        if self.encryption_required and not self.encryption_jwks:
            raise ValueError("encryption_required needs encryption_jwks")
        for index, jwk in enumerate(self.encryption_jwks):
            key = import_private_key(jwk, f"encryption_jwks[{index}]")
            if key.key_type not in _DEFAULT_ENCRYPTION_ALG:
                raise ValueError(f"encryption_jwks[{index}] must be an RSA or EC key")
            if jwk.get("alg") not in (None, *ENCRYPTION_ALGS):
                raise ValueError(f"encryption_jwks[{index}] alg must be one of {', '.join(ENCRYPTION_ALGS)}")

    def encryption_keys(self) -> list[Key]:
        """Our private decryption keys, each with a ``kid`` (RFC 7638 thumbprint if absent)."""
        keys = []
        for index, jwk in enumerate(self.encryption_jwks):
            key = import_private_key(jwk, f"encryption_jwks[{index}]")
            key.ensure_kid()
            keys.append(key)
        return keys


def default_encryption_alg(key: Key) -> str:
    """The ``alg`` we publish for a key that does not name one."""
    return str(key.get("alg") or _DEFAULT_ENCRYPTION_ALG[key.key_type])


def import_private_key(jwk: dict, setting: str) -> Key:
    """Import a private JWK, or raise ValueError naming the setting (never the key)."""
    try:
        key = import_key(dict(jwk))
    except (JoseError, ValueError, TypeError, KeyError):
        raise ValueError(f"{setting} is not a valid JWK") from None
    if not key.is_private:
        raise ValueError(f"{setting} must be a private key")
    return key
