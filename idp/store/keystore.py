"""Storage of each tenant's signing keys, and the per-process key-ring cache.

The ring is cached for ``RING_TTL`` seconds. That is safe because a new key is published as
``next`` one whole rotation before it signs, and a retired key stays published while tokens
it signed live: a process that signs a few seconds longer with the previous key produces
tokens every relying party can still verify.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app

from idp.security.audit import audit
from idp.store.db import db, scoped_all, utcnow
from idp.store.models import SigningKey
from keys import KeyRecord, KeyRing, KeyState, generate_record, plan_initial, plan_rotation
from keys.sealing import decode_kek

RING_TTL = 10.0
_rings: dict[str, tuple] = {}   # tenant -> (fresh until, ring, what its records were)


def _kek() -> bytes:
    return decode_kek(current_app.config["IDP_SETTINGS"].server.key_encryption_key)


def _to_record(row: SigningKey) -> KeyRecord:
    return KeyRecord(
        kid=row.kid, alg=row.alg, state=KeyState(row.state), public_jwk=row.public_jwk,
        sealed_private=row.sealed_private, created_at=row.created_at,
        activated_at=row.activated_at, retired_at=row.retired_at,
    )


def records(tenant: str) -> list[KeyRecord]:
    return [_to_record(row) for row in scoped_all(SigningKey, tenant)]


def _apply(tenant: str, plan) -> None:
    now = utcnow()
    rows = {row.kid: row for row in scoped_all(SigningKey, tenant)}
    for kid in plan.retire:
        rows[kid].state, rows[kid].retired_at = KeyState.RETIRED.value, now
    for kid in plan.promote:
        rows[kid].state, rows[kid].activated_at = KeyState.ACTIVE.value, now
    for kid in plan.remove:
        db.session.delete(rows[kid])
    kek = _kek()
    for alg, state in plan.create:
        rec = generate_record(tenant, alg, state, kek, now)
        db.session.add(SigningKey(
            tenant=tenant, kid=rec.kid, alg=alg, state=state.value, public_jwk=rec.public_jwk,
            sealed_private=rec.sealed_private, created_at=now, activated_at=rec.activated_at,
        ))
    db.session.commit()
    _rings.pop(tenant, None)


def ensure_keys(tenant: str) -> bool:
    """Give the tenant one active and one next key per algorithm; True if anything changed."""
    plan = plan_initial(records(tenant))
    if not plan.empty:
        _apply(tenant, plan)
    return not plan.empty


def rotate(tenant: str):
    settings = current_app.config["IDP_SETTINGS"]
    plan = plan_rotation(records(tenant), utcnow(), timedelta(seconds=settings.tokens.key_retire_after))
    _apply(tenant, plan)
    return plan


def cached_ring(tenant: str) -> KeyRing | None:
    """The ring this process holds for ``tenant`` while it is fresh; None once it is due
    for a rebuild (no database read here: idp/oidc/published.py asks on every JWKS request)."""
    cached = _rings.get(tenant)
    return cached[1] if cached and cached[0] > time.monotonic() else None


def keyring(tenant: str) -> KeyRing:
    """The tenant's ring, its records read again every ``RING_TTL`` seconds; the ring itself
    is rebuilt only when they changed (a rotation): unsealing and importing the private keys
    (RSA's PEM import with its checks) every 10 s showed in the token endpoint's profile
    (bench/RESULTS.md, issue 15)."""
    cached = cached_ring(tenant)
    if cached is not None:
        return cached
    fresh = records(tenant)
    seen = [(r.kid, r.alg, r.state, r.sealed_private, r.public_jwk) for r in fresh]
    previous = _rings.get(tenant)
    ring = previous[1] if previous is not None and previous[2:] == (seen,) else KeyRing(tenant, fresh, _kek())
    _rings[tenant] = (time.monotonic() + RING_TTL, ring, seen)
    return ring


def forget_rings() -> None:
    _rings.clear()


def listing(tenant: str) -> list[dict]:
    """The tenant's keys as ``idp keys list`` and ``listKeys`` show them (public parts only)."""
    return [{"kid": r.kid, "alg": r.alg, "state": r.state.value, "created_at": r.created_at,
             "activated_at": r.activated_at, "retired_at": r.retired_at} for r in records(tenant)]


def rotate_and_audit(tenant: str) -> dict:
    """:func:`rotate`, its audit event written: ``idp keys rotate`` and ``rotateKeys``."""

    plan = rotate(tenant)
    data = {"tenant": tenant, "promoted": plan.promote, "retired": plan.retire, "removed": plan.remove,
            "created": [alg for alg, _ in plan.create]}
    audit("keys.rotated", **data)
    return data
