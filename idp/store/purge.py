"""``idp purge``: deletes the rows nothing will read again, as Hydra's janitor does
(``hydra janitor``). Run it from cron (e.g. hourly); it is safe to run at any time and from
several machines at once, since each row it deletes is already dead.

Each kind is deleted in batches (``batch_size`` rows per statement and commit), so a large
backlog never holds a long transaction or a lock on a whole table. What goes:

- interactions, SSO sessions, signups in progress, revoked-token (deny list) entries, issued
  access tokens, refresh tokens and used ``private_key_jwt`` assertions: once expired (an
  expired one is refused either way);
- authorization codes and verification codes: one day after they expired (``GRACE``), so a
  code replayed late still finds its row and revokes what it issued, and the limits counted
  over recent codes keep seeing them (verification codes: at least ``[verification]
  send_window`` after, should it be set longer than a day);
- accounts of abandoned signups (mairie's activation step creates the account, pending,
  before the code or link is used): once no activation code or link of theirs can still be
  used, no signup of theirs is in progress, and they are older than an activation link's
  lifetime (``[verification] link_ttl``, ``code_ttl`` if longer), with their activation
  rows. Until then the chosen ``prénom.nom`` is held for the person activating; after, it is
  free for anyone. Only ``pending_activation``: an account waiting for a supporting document
  (caf) waits for an operator, not for its holder;
- back-channel deliveries: finished ones are already deleted when the client answers;
  what is still owed after ``GIVE_UP_AFTER`` (a day) is abandoned here too, with a warning,
  when ``idp backchannel deliver`` did not run.

- audit events (``audit_events``): once older than ``[audit] retention_days`` (365 by
  default); the admin API's idempotency keys: after a day;
- TOTP enrolments never confirmed (the secret shown, its first code never typed): a day
  after they began (``GRACE``). Decision: a day covers a person who starts on one device and
  finishes later; past it, the secret shown on a screen is no longer kept, and starting
  again shows a new one.

It spans every tenant on purpose (an operator job, like ``idp backchannel deliver``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, exists

from idp.store.db import db, unscoped, unscoped_delete, utcnow
from idp.store.models import (Account, AdminRequest, AuditEvent, AuthorizationCode, BackchannelDelivery, IssuedAccessToken, Interaction, MfaFactor,
                     RefreshToken, RevokedToken, Signup, SsoSession, UsedAssertion, Verification)
from idp.oidc.backchannel import GIVE_UP_AFTER
from idp.security.audit import audit
from idp.verification.codes import ACTIVATION

log = logging.getLogger("idp.store.purge")
GRACE = timedelta(days=1)
EVERY_TENANT = "purge: the dead rows of every tenant"


def _verification_grace() -> timedelta:
    """A verification row carries the budget of its ``send_window`` (the tries and sends of
    every code re-armed in it): kept until that window is over too, however long it is set."""
    from flask import current_app

    return max(GRACE, timedelta(seconds=current_app.config["IDP_SETTINGS"].verification.send_window))


def _dead(now: datetime) -> dict:
    """Per kind: the model and the condition of its dead rows."""
    return {
        "interactions": (Interaction, Interaction.expires_at < now),
        "authorization_codes": (AuthorizationCode, AuthorizationCode.expires_at < now - GRACE),
        "sso_sessions": (SsoSession, SsoSession.expires_at < now),
        "signups": (Signup, Signup.expires_at < now),
        "verifications": (Verification, Verification.expires_at < now - _verification_grace()),
        "revoked_tokens": (RevokedToken, RevokedToken.expires_at < now),
        "issued_access_tokens": (IssuedAccessToken, IssuedAccessToken.expires_at < now),
        "refresh_tokens": (RefreshToken, RefreshToken.expires_at < now),
        "used_assertions": (UsedAssertion, UsedAssertion.expires_at < now),
        "backchannel_deliveries": (BackchannelDelivery, BackchannelDelivery.created_at < now - GIVE_UP_AFTER),
        "audit_events": (AuditEvent, AuditEvent.time < now - _audit_retention()),
        "admin_requests": (AdminRequest, AdminRequest.created_at < now - GRACE),
        "mfa_enrolments": (MfaFactor, and_(MfaFactor.confirmed_at.is_(None), MfaFactor.created_at < now - GRACE)),
    }


def _audit_retention() -> timedelta:
    from flask import current_app

    return timedelta(days=current_app.config["IDP_SETTINGS"].audit.retention_days)


def _delete_in_batches(model, condition, batch_size: int) -> int:
    key = model.__mapper__.primary_key[0]
    total = 0
    while True:
        batch = unscoped(model, reason=EVERY_TENANT).with_only_columns(key).where(condition).limit(batch_size)
        deleted = db.session.execute(unscoped_delete(model, reason=EVERY_TENANT).where(key.in_(batch.scalar_subquery())),
                                     execution_options={"synchronize_session": False}).rowcount
        db.session.commit()
        total += deleted
        if deleted < batch_size:
            return total


def _abandoned_signup_accounts(now: datetime):
    """Accounts created by a signup's activation step that nothing can activate any more."""
    from flask import current_app

    settings = current_app.config["IDP_SETTINGS"].verification
    lifetime = timedelta(seconds=max(settings.link_ttl, settings.code_ttl))
    live_activation = exists().where(Verification.subject == Account.id, Verification.purpose == ACTIVATION,
                                     Verification.used_at.is_(None), Verification.expires_at >= now)
    live_signup = exists().where(Signup.account_id == Account.id, Signup.expires_at >= now)
    return and_(Account.status == "pending_activation", Account.created_at < now - lifetime,
                ~live_activation, ~live_signup)


def _purge_abandoned_accounts(now: datetime, batch_size: int) -> int:
    """Batch by batch: the accounts (the condition checked again as they go), then their
    activation rows, which nothing can check any more."""
    condition, total = _abandoned_signup_accounts(now), 0
    while True:
        found = unscoped(Account, reason=EVERY_TENANT).with_only_columns(Account.id)
        ids = list(db.session.scalars(found.where(condition).limit(batch_size)))
        if not ids:
            return total
        total += db.session.execute(unscoped_delete(Account, reason=EVERY_TENANT).where(Account.id.in_(ids), condition),
                                    execution_options={"synchronize_session": False}).rowcount
        db.session.execute(unscoped_delete(Verification, reason=EVERY_TENANT).where(
                               Verification.subject.in_(ids), Verification.purpose == ACTIVATION,
                               ~exists().where(Account.id == Verification.subject)),
                           execution_options={"synchronize_session": False})
        db.session.commit()
        if len(ids) < batch_size:
            return total


def purge(batch_size: int = 1000, now: datetime | None = None) -> dict[str, int]:
    """Delete every kind's dead rows; returns how many of each went."""
    counts = {}
    now = now or utcnow()
    for kind, (model, condition) in _dead(now).items():
        counts[kind] = _delete_in_batches(model, condition, batch_size)
    counts["pending_accounts"] = _purge_abandoned_accounts(now, batch_size)
    if counts["backchannel_deliveries"]:
        audit("backchannel_logout.abandoned", "failure", count=counts["backchannel_deliveries"], path="purge")
    log.info("purge %s", " ".join(f"{kind}={count}" for kind, count in counts.items()))
    return counts
