"""Verification codes and links (activation, recovery, contact change).

Codes are 6 random digits, links 256-bit tokens; both are stored as an HMAC under a key
derived from the data-protection key (a 6-digit code hashed without a key would fall to
an offline search). Single use, expiring, at most ``max_attempts`` wrong tries, and a
resend is throttled (``resend_interval`` seconds, ``max_sends`` in all).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g
from sqlalchemy import update

from .db import db, scoped_first, utcnow
from .models import Verification
from .protection import vault

MESSAGES = {
    "wrong": _l("Le code saisi est incorrect."),
    "expired": _l("Ce code a expiré. Demandez-en un nouveau."),
    "too_many": _l("Trop d'essais. Demandez un nouveau code."),
    "used": _l("Ce code a déjà été utilisé."),
    "missing": _l("Aucun code n'est en attente. Demandez un nouveau code."),
    "too_soon": _l("Un code vient d'être envoyé. Patientez {seconds} secondes avant d'en redemander un."),
    "too_many_sends": _l("Trop de codes envoyés. Recommencez plus tard."),
}


@dataclass
class Outcome:
    ok: bool
    code: str = ""            # stable code: verification.<reason>
    message: str = ""
    verification: Verification | None = None


def _settings():
    return current_app.config["IDP_SETTINGS"].verification


def _hash(record_id: str, secret: str) -> str:
    return vault().mac("verification", f"{record_id}:{secret}")


def _new_secret(kind: str) -> str:
    if kind == "link":
        return secrets.token_urlsafe(32)
    return f"{secrets.randbelow(10**6):06d}"


def _ttl(kind: str, channel: str) -> int:
    s = _settings()
    if channel == "letter":
        return s.letter_ttl_days * 86400
    return s.link_ttl if kind == "link" else s.code_ttl


def issue(purpose: str, subject: str, channel: str, destination: str, kind: str = "code") -> tuple[Verification, str]:
    """A new code or link; any earlier pending one of the same purpose is cancelled."""
    now = utcnow()
    db.session.execute(
        update(Verification)
        .where(Verification.tenant == g.tenant.slug, Verification.subject == subject,
               Verification.purpose == purpose, Verification.used_at.is_(None))
        .values(used_at=now)
    )
    row = Verification(tenant=g.tenant.slug, purpose=purpose, subject=subject, channel=channel,
                       destination=destination, secret_hash="", attempts=0, sends=1, created_at=now,
                       last_sent_at=now, expires_at=now + timedelta(seconds=_ttl(kind, channel)))
    row.id = secrets.token_hex(16)
    secret = _new_secret(kind)
    row.secret_hash = _hash(row.id, secret)
    db.session.add(row)
    db.session.commit()
    return row, secret


def pending(purpose: str, subject: str) -> Verification | None:
    row = db.session.execute(
        db.select(Verification)
        .where(Verification.tenant == g.tenant.slug, Verification.subject == subject,
               Verification.purpose == purpose, Verification.used_at.is_(None))
        .order_by(Verification.created_at.desc()).limit(1)
    ).scalar_one_or_none()
    return row


def can_resend(row: Verification) -> Outcome:
    s = _settings()
    wait = s.resend_interval - int((utcnow() - row.last_sent_at).total_seconds())
    if wait > 0:
        return Outcome(False, "verification.too_soon", MESSAGES["too_soon"].format(seconds=wait))
    if row.sends >= s.max_sends:
        return Outcome(False, "verification.too_many_sends", MESSAGES["too_many_sends"])
    return Outcome(True)


def reissue(row: Verification, kind: str = "code") -> tuple[Verification, str]:
    """A fresh secret for the same destination, counting sends (call :func:`can_resend` first)."""
    sends = row.sends + 1
    new, secret = issue(row.purpose, row.subject, row.channel, row.destination, kind)
    new.sends = sends
    db.session.commit()
    return new, secret


def check(purpose: str, subject: str, secret: str) -> Outcome:
    """Verify a typed code (or a clicked link's token) and consume it on success."""
    row = pending(purpose, subject)
    if row is None:
        return Outcome(False, "verification.missing", MESSAGES["missing"])
    return check_row(row, secret)


def check_row(row: Verification, secret: str) -> Outcome:
    if row.used_at is not None:
        return Outcome(False, "verification.used", MESSAGES["used"], row)
    if row.expires_at <= utcnow():
        return Outcome(False, "verification.expired", MESSAGES["expired"], row)
    if row.attempts >= _settings().max_attempts:
        return Outcome(False, "verification.too_many", MESSAGES["too_many"], row)
    if not hmac.compare_digest(row.secret_hash, _hash(row.id, (secret or "").strip().replace(" ", ""))):
        row.attempts += 1
        db.session.commit()
        if row.attempts >= _settings().max_attempts:
            return Outcome(False, "verification.too_many", MESSAGES["too_many"], row)
        return Outcome(False, "verification.wrong", MESSAGES["wrong"], row)
    consumed = db.session.execute(
        update(Verification).where(Verification.id == row.id, Verification.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    db.session.commit()
    if consumed != 1:
        return Outcome(False, "verification.used", MESSAGES["used"], row)
    return Outcome(True, "verification.ok", "", row)


def find_link(link_id: str) -> Verification | None:
    return scoped_first(Verification, id=link_id)
