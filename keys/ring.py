"""The key ring of one tenant: private keys that sign, public keys that verify (JWKS)."""

from __future__ import annotations

import json

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from joserfc.jws import JWSRegistry
from joserfc.util import urlsafe_b64encode

from .records import KeyRecord, KeyState, aad_for
from .sealing import unseal_private_key

PUBLISHED_STATES = (KeyState.NEXT, KeyState.ACTIVE, KeyState.RETIRED)
# The JSON of joserfc's jwt.encode (a header as its json_b64encode, claims as its
# convert_claims), with encoders built once instead of by each json.dumps
_HEADER_JSON = json.JSONEncoder(separators=(",", ":"))
_CLAIMS_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


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
        self._signers = {alg: _checked_signer(alg, key) for alg, key in self._signing.items()}

    @property
    def algorithms(self) -> list[str]:
        return sorted(self._signing)

    def signing_key(self, alg: str):
        try:
            return self._signing[alg]
        except KeyError:
            raise LookupError(f"tenant {self.tenant!r} has no active {alg} key") from None

    def sign(self, claims: dict, alg: str = "RS256", typ: str | None = None) -> str:
        """A compact JWS of ``claims`` (JSON values: times as integers, as every caller
        gives them) with the header ``jwt.encode`` writes: ``typ`` ("JWT" by default),
        ``alg``, ``kid``, in that order, the same JSON and base64url.

        The key and algorithm were checked once, when the ring imported the key
        (:func:`_checked_signer`): ``jwt.encode`` rebuilt a registry and checked the header,
        the key's use, type, alg and operation on every signature, the same answers for a
        key that does not change (issue 15). The signature itself is joserfc's algorithm."""
        key = self.signing_key(alg)
        algorithm = self._signers[alg]
        header = {"typ": typ or "JWT", "alg": alg, "kid": key.kid}
        signing_input = (urlsafe_b64encode(_HEADER_JSON.encode(header).encode("ascii")) + b"."
                         + urlsafe_b64encode(_CLAIMS_JSON.encode(claims).encode()))
        return (signing_input + b"." + urlsafe_b64encode(algorithm.sign(signing_input, key))).decode("ascii")

    def verify(self, token: str, algorithms=("RS256", "ES256")) -> jwt.Token:
        """Decode and check the signature against this tenant's published keys.

        Raises joserfc errors on a bad signature or an unknown ``kid``; claims (exp, aud,
        iss) are the caller's to validate.
        """
        return jwt.decode(token, self.public, algorithms=list(algorithms))


def _checked_signer(alg: str, key):
    """joserfc's algorithm ``alg``, after the checks ``jwt.encode`` makes before each
    signature, made once here: allowed in a registry of ``alg`` only, a key for signing
    (``use``), of the algorithm's type (and curve) and ``alg``, private (``key_ops`` sign)."""
    algorithm = JWSRegistry(algorithms=[alg]).get_alg(alg)
    algorithm.check_key(key)
    key.check_key_op("sign")
    return algorithm
