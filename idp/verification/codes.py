"""Verification codes and links (activation, recovery, contact change).

Codes are 6 random digits, links 256-bit tokens; both are stored as an HMAC under a key
derived from the data-protection key (a 6-digit code hashed without a key would fall to
an offline search). Single use, expiring, at most ``max_attempts`` tries.

The budget is per person and per ``send_window``, not per code (OWASP ASVS 5 V6.6, RFC 9700
spirit): asking again re-arms the same row with a new secret, so the tries already made
still count and the sends add up (``max_sends``, ``resend_interval`` apart); only when the
window has passed does a new row, with a new budget, start. Each try takes one attempt with
a single conditional UPDATE (``attempts < max_attempts``) before the secret is compared, so
concurrent guesses cannot overrun the limit; of simultaneous requests finding no code
pending, only the first starts one (an atomic count). Sends are also counted per client address
(``max_sends_per_address`` per window, in the shared counters of :mod:`idp.security.counters`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l, ngettext

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, request
from idp.store.db import db, scoped, scoped_first, scoped_update, utcnow
from idp.store.models import Verification
from idp.security.audit import audit
from idp.security.vault import vault

# the purpose of a signup's activation code: the purge keeps a pending account while one is live
ACTIVATION = "activation"

MESSAGES = {
    "wrong": _l("Le code saisi est incorrect."),
    "expired": _l("Ce code a expiré. Demandez-en un nouveau."),
    "too_many": _l("Trop d'essais. Demandez un nouveau code."),
    "used": _l("Ce code a déjà été utilisé."),
    "missing": _l("Aucun code n'est en attente. Demandez un nouveau code."),
    "too_soon": _l("Un code vient d'être envoyé. Patientez {seconds} secondes avant d'en redemander un."),
    "too_many_sends": _l("Trop de codes envoyés. Recommencez plus tard."),
    "spent": _l("Trop d'essais avec les derniers codes. Vous pourrez en demander un nouveau dans {minutes} minutes."),
    "too_many_requests": _l("Trop de demandes depuis votre connexion. Réessayez plus tard."),
}


@dataclass
class Outcome:
    ok: bool
    code: str = ""            # stable code: verification.<reason>
    message: str = ""
    verification: Verification | None = None
    secret: str = ""          # the code or link token to send (request_code only)
    tries_left: int | None = None   # after a wrong code: how many the person still has


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


def _window_start(now):
    return now - timedelta(seconds=_settings().send_window)


def _live(purpose: str, subject: str, now) -> Verification | None:
    """The pending row of this window, the one whose budget a new send shares."""
    row = pending(purpose, subject)
    return row if row is not None and row.created_at > _window_start(now) else None


def issue(purpose: str, subject: str, channel: str, destination: str, kind: str = "code") -> tuple[Verification, str]:
    """A new secret for ``subject``, without limits (callers check :func:`can_resend`, or use
    :func:`request_code`). Within the window the pending row is re-armed, its attempts kept."""
    now = utcnow()
    row = _live(purpose, subject, now)
    secret = _rearm(row, channel, destination, kind, now, guarded=False) if row is not None else None
    if secret is None:
        row = _new_row(purpose, subject, now)
        secret = _rearm(row, channel, destination, kind, now, guarded=False)
    return row, secret


def _new_row(purpose: str, subject: str, now) -> Verification:
    db.session.execute(
        scoped_update(Verification, subject=subject, purpose=purpose)
        .where(Verification.used_at.is_(None))
        .values(used_at=now)
    )
    row = Verification(tenant=g.tenant.slug, purpose=purpose, subject=subject, channel="", destination="",
                       secret_hash="", attempts=0, sends=0, created_at=now, last_sent_at=now, expires_at=now)
    row.id = secrets.token_hex(16)
    db.session.add(row)
    db.session.flush()
    return row


def _rearm(row: Verification, channel: str, destination: str, kind: str, now, guarded: bool) -> str | None:
    """One UPDATE: a new secret (returned), ``sends + 1``; when ``guarded``, only while the row
    still has tries and sends left and the resend delay has passed (two requests: one wins)."""
    s = _settings()
    secret = _new_secret(kind)
    stmt = scoped_update(Verification, id=row.id).where(Verification.used_at.is_(None))
    if guarded:
        stmt = stmt.where(Verification.attempts < s.max_attempts, Verification.sends < s.max_sends,
                          Verification.last_sent_at <= now - timedelta(seconds=s.resend_interval))
    done = db.session.execute(stmt.values(
        channel=channel, destination=destination, secret_hash=_hash(row.id, secret), sends=Verification.sends + 1,
        last_sent_at=now, expires_at=now + timedelta(seconds=_ttl(kind, channel)),
    ).execution_options(synchronize_session=False)).rowcount == 1
    # committed on its own: the secret is stored (and the send counted) before its message
    # leaves, which the caller does next, outside any transaction; a message for a code that
    # a failed request never stored would be a dead code, and an uncounted send a free one
    db.session.commit()
    db.session.refresh(row)
    return secret if done else None


def request_code(purpose: str, subject: str, channel: str, destination: str, kind: str = "code") -> Outcome:
    """Issue a code or link within the limits, or say why not; ``Outcome.secret`` is what to
    send. Call :func:`address_allows` too: that limit is per client, not per subject."""
    outcome = _request_code(purpose, subject, channel, destination, kind)
    if outcome.ok:
        audit("verification.sent", purpose=purpose, channel=channel)
    else:
        audit("verification.refused", "failure", purpose=purpose, channel=channel, reason=outcome.code)
    return outcome


def _request_code(purpose: str, subject: str, channel: str, destination: str, kind: str) -> Outcome:
    now = utcnow()
    latest = _latest(purpose, subject)
    live = latest is not None and latest.used_at is None and latest.created_at > _window_start(now)
    row = latest if live else None
    if row is None:
        if not _first_to_start(purpose, subject, latest):
            return Outcome(False, "verification.too_soon", MESSAGES["too_soon"].format(
                seconds=_settings().resend_interval))
        row, secret = issue(purpose, subject, channel, destination, kind)
        return Outcome(True, "verification.sent", "", row, secret)
    refused = can_resend(row)
    if not refused.ok:
        return refused
    secret = _rearm(row, channel, destination, kind, now, guarded=True)
    if secret is None:   # another request re-armed it first, or the row was used meanwhile
        return _send_refusal(row, now) or Outcome(False, "verification.too_soon", MESSAGES["too_soon"].format(
            seconds=_settings().resend_interval))
    return Outcome(True, "verification.sent", "", row, secret)


def _latest(purpose: str, subject: str) -> Verification | None:
    """The subject's last row, pending or not (older pending ones are voided by a new one)."""
    return db.session.execute(
        scoped(Verification, subject=subject, purpose=purpose)
        .order_by(Verification.created_at.desc()).limit(1)).scalar_one_or_none()


def _first_to_start(purpose: str, subject: str, latest: Verification | None) -> bool:
    """Of the requests that found the same last row (or none) and no code pending, only the
    first starts a new one: an atomic count in the shared counters, keyed by that row.
    Two simultaneous first requests would otherwise each send a code, the second voiding
    the first."""
    counters = current_app.extensions["idp_counters"]
    key = f"verify-new:{g.tenant.slug}:{purpose}:{subject}:{latest.id if latest else '-'}"
    return counters.incr(key, max(60, _settings().resend_interval)) == 1


def address_allows() -> bool:
    """Count a send asked from this client address (per tenant); False past the limit."""
    s = _settings()
    counters = current_app.extensions["idp_counters"]
    return counters.incr(f"verify-ip:{g.tenant.slug}:{request.remote_addr}", s.send_window) <= s.max_sends_per_address


def message_allowed(purpose: str, subject: str) -> Outcome:
    """The same send limits for a message that carries no code (the identifier reminder),
    counted in the shared counters: ``resend_interval`` apart, ``max_sends`` per window."""
    s = _settings()
    counters = current_app.extensions["idp_counters"]
    key = f"verify-msg:{g.tenant.slug}:{purpose}:{subject}"
    # one atomic increment takes the resend delay: of two sends at the same instant (two
    # background jobs, two workers) only the first sees 1; a read then a write let both through
    if s.resend_interval and counters.incr(key + ":wait", s.resend_interval) > 1:
        wait = max(1, counters.locked_for(key + ":wait"))
        return Outcome(False, "verification.too_soon", MESSAGES["too_soon"].format(seconds=wait))
    if counters.incr(key, s.send_window) > s.max_sends:
        return Outcome(False, "verification.too_many_sends", MESSAGES["too_many_sends"])
    return Outcome(True, "verification.sent")


def pending(purpose: str, subject: str) -> Verification | None:
    row = db.session.execute(
        scoped(Verification, subject=subject, purpose=purpose)
        .where(Verification.used_at.is_(None))
        .order_by(Verification.created_at.desc()).limit(1)
    ).scalar_one_or_none()
    return row


def _send_refusal(row: Verification, now) -> Outcome | None:
    s = _settings()
    if row.attempts >= s.max_attempts:
        left = row.created_at + timedelta(seconds=s.send_window) - now
        return Outcome(False, "verification.spent", MESSAGES["spent"].format(
            minutes=max(1, int(left.total_seconds() + 59) // 60)), row)
    if row.sends >= s.max_sends:
        return Outcome(False, "verification.too_many_sends", MESSAGES["too_many_sends"], row)
    return None


def can_resend(row: Verification) -> Outcome:
    """May a new secret go out for ``row``'s subject? Always once its window has passed."""
    s = _settings()
    now = utcnow()
    if row.created_at <= _window_start(now):
        return Outcome(True)
    refused = _send_refusal(row, now)
    if refused:
        return refused
    wait = s.resend_interval - int((now - row.last_sent_at).total_seconds())
    if wait > 0:
        return Outcome(False, "verification.too_soon", MESSAGES["too_soon"].format(seconds=wait), row)
    return Outcome(True)


def check(purpose: str, subject: str, secret: str, consume: bool = True) -> Outcome:
    """Verify a typed code (or a clicked link's token) and consume it on success."""
    row = pending(purpose, subject)
    if row is None:
        audit("verification.failure", "failure", purpose=purpose, reason="verification.missing")
        return Outcome(False, "verification.missing", MESSAGES["missing"])
    return check_row(row, secret, consume)


def wrong_code(tries_left: int) -> str:
    """"Le code saisi est incorrect." and the tries the person has left, which every
    wrong-code page says (the budget is ``max_attempts`` per code, kept across resends)."""
    return f"{MESSAGES['wrong']} " + ngettext("Il vous reste %(num)d essai.", "Il vous reste %(num)d essais.",
                                              tries_left)


def _refusal(row: Verification) -> Outcome | None:
    if row.used_at is not None:
        return Outcome(False, "verification.used", MESSAGES["used"], row)
    if row.expires_at <= utcnow():
        return Outcome(False, "verification.expired", MESSAGES["expired"], row)
    if row.attempts >= _settings().max_attempts:
        return Outcome(False, "verification.too_many", MESSAGES["too_many"], row)
    return None


def _take_attempt(row: Verification) -> int | None:
    """Spend one try, atomically; the tries spent so far, or None when none was left. Not
    committed here: :func:`check_row` commits a wrong try at once, and a right one with its
    use (or, checked only, gives it back in the caller's transaction)."""
    spent = db.session.execute(
        scoped_update(Verification, id=row.id)
        .where(Verification.used_at.is_(None), Verification.expires_at > utcnow(),
               Verification.attempts < _settings().max_attempts)
        .values(attempts=Verification.attempts + 1).returning(Verification.attempts)
    ).scalar_one_or_none()
    return spent


def check_row(row: Verification, secret: str, consume: bool = True) -> Outcome:
    """Compare ``secret`` with ``row``'s after taking one try. ``consume=False`` checks
    without using the code up (a right code then gives its try back): the caller consumes it
    with :func:`consume` once the rest of the form is valid."""
    outcome = _check_row(row, secret, consume)
    if not outcome.ok:
        audit("verification.failure", "failure", purpose=row.purpose, reason=outcome.code)
    return outcome


def _check_row(row: Verification, secret: str, consume: bool) -> Outcome:
    refused = _refusal(row)
    if refused:
        return refused
    spent = _take_attempt(row)
    if spent is None:
        db.session.refresh(row)
        return _refusal(row) or Outcome(False, "verification.too_many", MESSAGES["too_many"], row)
    if not hmac.compare_digest(row.secret_hash, _hash(row.id, (secret or "").strip().replace(" ", ""))):
        # committed on its own: the wrong try must count although the request then fails
        # (the page answers 400 and writes nothing else), or guesses would be free
        db.session.commit()
        if spent >= _settings().max_attempts:
            return Outcome(False, "verification.too_many", MESSAGES["too_many"], row)
        left = _settings().max_attempts - spent
        return Outcome(False, "verification.wrong", wrong_code(left), row, tries_left=left)
    if not consume:   # the try given back in the caller's transaction: spent and returned, or neither
        db.session.execute(scoped_update(Verification, id=row.id).where(Verification.attempts > 0)
                           .values(attempts=Verification.attempts - 1))
        return Outcome(True, "verification.ok", "", row)
    return consume_row(row)


def consume_row(row: Verification, commit: bool = True) -> Outcome:
    """Use the code up: one UPDATE, so that two requests with the same code get one success
    (the second waits for the first's transaction; ``commit=False`` leaves it to the caller,
    who commits the code's use with what it allows)."""
    consumed = db.session.execute(
        scoped_update(Verification, id=row.id).where(Verification.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if commit:   # used up at once (with its try) unless the caller commits the use with what it allows
        db.session.commit()
    if consumed != 1:
        return Outcome(False, "verification.used", MESSAGES["used"], row)
    return Outcome(True, "verification.ok", "", row)


def find_link(link_id: str) -> Verification | None:
    return scoped_first(Verification, id=link_id)
