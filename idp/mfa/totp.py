"""TOTP (RFC 6238, ``pyotp``): 30-second steps, six digits, ±1 step of clock drift, each code
accepted once.

The secret is sealed under the tenant's key (:mod:`idp.security.vault`). "Once" is the
last accepted time step, stored with the factor and moved forward by one conditional
UPDATE (``WHERE last_step < step``): of two requests with the same code, exactly one
updates the row, whatever the workers and the database do in between (the other is a replay).
"""

from __future__ import annotations

import hmac
import time

import pyotp
from flask import g
from sqlalchemy import or_

from idp.security.vault import vault
from idp.store.db import db, scoped, scoped_update, utcnow
from idp.store.models import MfaFactor

clock = time.time   # tests move it: a code of another time step
KIND = "totp"
STEP = 30
DRIFT = 1


def confirmed(account) -> list[MfaFactor]:
    return list(db.session.execute(scoped(MfaFactor, account.tenant, account_id=account.id, kind=KIND)
                                   .where(MfaFactor.confirmed_at.is_not(None))
                                   .order_by(MfaFactor.created_at)).scalars())


def enrolled(account) -> bool:
    return bool(confirmed(account))


def secret_of(factor: MfaFactor) -> str:
    return vault().unseal(factor.tenant, factor.secret_sealed)


def uri(factor: MfaFactor, account_name: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (the QR code holds it)."""
    issuer = g.tenant.config.mfa.issuer_name or g.tenant.config.display_name
    return pyotp.TOTP(secret_of(factor)).provisioning_uri(name=account_name, issuer_name=issuer)


def pending(account) -> MfaFactor | None:
    """The TOTP being enrolled (shown, its first code not yet typed), or None."""
    return db.session.execute(scoped(MfaFactor, account.tenant, account_id=account.id, kind=KIND)
                              .where(MfaFactor.confirmed_at.is_(None)).limit(1)).scalar_one_or_none()


def begin(account, label: str = "Application d'authentification") -> MfaFactor:
    """A new secret for ``account``, unconfirmed until its first code (committed by the caller)."""
    existing = pending(account)
    if existing is not None:
        return existing
    row = MfaFactor(tenant=account.tenant, account_id=account.id, kind=KIND, label=label[:100],
                    secret_sealed=vault().seal(account.tenant, pyotp.random_base32()))
    db.session.add(row)
    db.session.flush()
    return row


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = "".join(code.split())
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP)
    found = None
    for step in range(current - DRIFT, current + DRIFT + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):   # every step compared: constant time
            found = step
    return found


def _burn(factor: MfaFactor, step: int) -> bool:
    """Move the factor's last step to ``step``; False when it was already there (a replay)."""
    result = db.session.execute(
        scoped_update(MfaFactor, factor.tenant, id=factor.id)
        .where(or_(MfaFactor.last_step.is_(None), MfaFactor.last_step < step))
        .values(last_step=step, last_used_at=utcnow()),
        execution_options={"synchronize_session": False})
    return result.rowcount == 1


def check(factor: MfaFactor, code: str, now: float | None = None) -> bool:
    step = _matching_step(secret_of(factor), code or "", clock() if now is None else now)
    return step is not None and _burn(factor, step)


def verify(account, code: str) -> bool:
    """A right code of one of the account's confirmed TOTPs, not used before."""
    return any(check(factor, code) for factor in confirmed(account))


def confirm(factor: MfaFactor, code: str) -> bool:
    """The first code: the enrolment holds once the person showed the app has the secret."""
    if not check(factor, code):
        return False
    factor.confirmed_at = utcnow()
    return True
