"""The stand-in's signing key (ES256, as fcp-low's HSM keys) and its JWKS (RFC 7517)."""

from __future__ import annotations

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

ALGORITHM = "ES256"


class SigningKey:
    """One ES256 key: generated at startup unless a private JWK (dict or joserfc key) is given."""

    def __init__(self, jwk=None):
        if jwk is None:
            key = ECKey.generate_key("P-256", parameters={"use": "sig", "alg": ALGORITHM}, auto_kid=True)
        elif isinstance(jwk, ECKey):
            key = jwk
        else:
            key = ECKey.import_key(dict(jwk))
        if not key.kid:
            key = ECKey.import_key({**key.as_dict(private=True), "kid": key.thumbprint()})
        self.key = key

    @property
    def kid(self) -> str:
        return self.key.kid

    def jwks(self) -> dict:
        public = self.key.as_dict(private=False)
        public.setdefault("use", "sig")
        public.setdefault("alg", ALGORITHM)
        return KeySet.import_key_set({"keys": [public]}).as_dict()

    def sign(self, claims: dict) -> str:
        return jwt.encode({"alg": ALGORITHM, "kid": self.kid}, claims, self.key, algorithms=[ALGORITHM])

    def verified_claims(self, token: str) -> dict | None:
        """The claims of a JWT this key signed, whatever its expiry; None otherwise."""
        try:
            return dict(jwt.decode(token, self.key, algorithms=[ALGORITHM]).claims)
        except (JoseError, ValueError):
            return None
