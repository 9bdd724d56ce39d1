"""Recovery codes: ten single-use codes, shown once when made, stored as keyed hashes (as
client secrets are: HMAC-SHA-256 under the server's pepper), made again on demand (the old
ones then stop working). A code is used by one conditional UPDATE (``used_at IS NULL``):
of two requests with the same code, one succeeds."""

from __future__ import annotations

import secrets

from sqlalchemy import func

from idp.clients.model import hash_client_secret
from idp.store.db import db, scoped, scoped_delete, scoped_update, utcnow
from idp.store.models import RecoveryCode

COUNT = 10
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"   # no 0/o, 1/l/i: read from paper


def _normal(code: str) -> str:
    return "".join(c for c in (code or "").lower() if c.isalnum())


def _hash(account, code: str) -> str:
    return hash_client_secret(f"recovery:{account.tenant}:{account.id}:{_normal(code)}")


def generate(account) -> list[str]:
    """Ten new codes (the previous ones removed); committed by the caller. ``xxxxx-xxxxx``."""
    db.session.execute(scoped_delete(RecoveryCode, account.tenant, account_id=account.id),
                       execution_options={"synchronize_session": False})
    codes = []
    for _ in range(COUNT):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(tenant=account.tenant, account_id=account.id, code_hash=_hash(account, raw)))
    return codes


def remaining(account) -> int:
    return db.session.execute(scoped(RecoveryCode, account.tenant, account_id=account.id)
                              .where(RecoveryCode.used_at.is_(None))
                              .with_only_columns(func.count(RecoveryCode.id))).scalar_one()


def enrolled(account) -> bool:
    return remaining(account) > 0


def verify(account, code: str) -> bool:
    if len(_normal(code)) != 10:
        return False
    result = db.session.execute(
        scoped_update(RecoveryCode, account.tenant, account_id=account.id, code_hash=_hash(account, code))
        .where(RecoveryCode.used_at.is_(None)).values(used_at=utcnow()),
        execution_options={"synchronize_session": False})
    return result.rowcount == 1


def remove(account) -> int:
    return db.session.execute(scoped_delete(RecoveryCode, account.tenant, account_id=account.id),
                              execution_options={"synchronize_session": False}).rowcount
