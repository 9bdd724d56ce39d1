"""Key records: what the application stores for each signing key."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from joserfc.jwk import ECKey, RSAKey

from .sealing import seal_private_key

#: Signing algorithms a tenant key set holds: RS256 is the OIDC default,
#: ES256 is FranceConnect's preference.
SUPPORTED_ALGS = ("RS256", "ES256")
RSA_BITS = 2048


class KeyState(str, enum.Enum):
    NEXT = "next"
    ACTIVE = "active"
    RETIRED = "retired"


@dataclass
class KeyRecord:
    kid: str
    alg: str
    state: KeyState
    public_jwk: dict
    sealed_private: bytes
    created_at: datetime
    activated_at: datetime | None = None
    retired_at: datetime | None = None
    extra: dict = field(default_factory=dict)


def _generate(alg: str):
    params = {"alg": alg, "use": "sig"}
    if alg == "ES256":
        return ECKey.generate_key("P-256", parameters=params, private=True, auto_kid=True)
    if alg == "RS256":
        return RSAKey.generate_key(RSA_BITS, parameters=params, private=True, auto_kid=True)
    raise ValueError(f"unsupported signing algorithm {alg!r}; use one of {SUPPORTED_ALGS}")


def aad_for(tenant: str, kid: str) -> str:
    return f"{tenant}|{kid}"


def generate_record(tenant: str, alg: str, state: KeyState, kek: bytes, now: datetime) -> KeyRecord:
    """Generate a key pair and return its record, the private part sealed under ``kek``."""
    key = _generate(alg)
    kid = key.kid
    public = key.as_dict(private=False)
    public.update({"kid": kid, "alg": alg, "use": "sig"})
    pem = key.as_pem(private=True)
    return KeyRecord(
        kid=kid,
        alg=alg,
        state=state,
        public_jwk=public,
        sealed_private=seal_private_key(pem, kek, aad_for(tenant, kid)),
        created_at=now,
        activated_at=now if state is KeyState.ACTIVE else None,
    )
