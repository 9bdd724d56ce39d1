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
- back-channel deliveries: finished ones are already deleted when the client answers;
  what is still owed after ``GIVE_UP_AFTER`` (a day) is abandoned here too, with a warning,
  when ``idp backchannel deliver`` did not run.

It spans every tenant on purpose (an operator job, like ``idp backchannel deliver``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from .db import db, utcnow
from .models import (AuthorizationCode, BackchannelDelivery, IssuedAccessToken, Interaction, RefreshToken,
                     RevokedToken, Signup, SsoSession, UsedAssertion, Verification)
from .oidc.backchannel import GIVE_UP_AFTER

log = logging.getLogger("idp.purge")
GRACE = timedelta(days=1)


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
    }


def _delete_in_batches(model, condition, batch_size: int) -> int:
    key = model.__mapper__.primary_key[0]
    total = 0
    while True:
        batch = select(key).where(condition).limit(batch_size).scalar_subquery()
        deleted = db.session.execute(delete(model).where(key.in_(batch)),
                                     execution_options={"synchronize_session": False}).rowcount
        db.session.commit()
        total += deleted
        if deleted < batch_size:
            return total


def purge(batch_size: int = 1000, now: datetime | None = None) -> dict[str, int]:
    """Delete every kind's dead rows; returns how many of each went."""
    counts = {}
    for kind, (model, condition) in _dead(now or utcnow()).items():
        counts[kind] = _delete_in_batches(model, condition, batch_size)
    if counts["backchannel_deliveries"]:
        log.warning("backchannel_logout_abandoned count=%d (idp purge)", counts["backchannel_deliveries"])
    log.info("purge %s", " ".join(f"{kind}={count}" for kind, count in counts.items()))
    return counts
