"""The key ring of one tenant: private keys that sign, public keys that verify (JWKS)."""

from __future__ import annotations

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from .records import KeyRecord, KeyState, aad_for
from .sealing import unseal_private_key

PUBLISHED_STATES = (KeyState.NEXT, KeyState.ACTIVE, KeyState.RETIRED)


def publish_jwks(records: list[KeyRecord]) -> dict:
    """The public JWKS: next, active and retired keys, active ones first."""
    order = {KeyState.ACTIVE: 0, KeyState.NEXT: 1, KeyState.RETIRED: 2}
    ordered = sorted((r for r in records if r.state in PUBLISHED_STATES), key=lambda r: order[r.state])
    return {"keys": [dict(r.public_jwk) for r in ordered]}


class KeyRing:
    """Signing keys of one tenant, unsealed once and kept for the process."""

    def __init__(self, tenant: str, records: list[KeyRecord], kek: bytes):
        self.tenant = tenant
        self.jwks = publish_jwks(records)
        self.public = KeySet.import_key_set(self.jwks)
        self._signing = {}
        for record in records:
            if record.state is KeyState.ACTIVE:
                pem = unseal_private_key(record.sealed_private, kek, aad_for(tenant, record.kid))
                key_cls = ECKey if record.alg == "ES256" else RSAKey
                key = key_cls.import_key(pem, {"kid": record.kid, "alg": record.alg, "use": "sig"})
                self._signing[record.alg] = key

    @property
    def algorithms(self) -> list[str]:
        return sorted(self._signing)

    def signing_key(self, alg: str):
        try:
            return self._signing[alg]
        except KeyError:
            raise LookupError(f"tenant {self.tenant!r} has no active {alg} key") from None

    def sign(self, claims: dict, alg: str = "RS256", typ: str | None = None) -> str:
        key = self.signing_key(alg)
        header = {"alg": alg, "kid": key.kid}
        if typ:
            header["typ"] = typ
        return jwt.encode(header, claims, key, algorithms=[alg])

    def verify(self, token: str, algorithms=("RS256", "ES256")) -> jwt.Token:
        """Decode and check the signature against this tenant's published keys.

        Raises joserfc errors on a bad signature or an unknown ``kid``; claims (exp, aud,
        iss) are the caller's to validate.
        """
        return jwt.decode(token, self.public, algorithms=list(algorithms))
