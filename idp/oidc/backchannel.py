"""OpenID Connect Back-Channel Logout 1.0: logout tokens (§2.4) POSTed to the clients of an
ended session (§2.5), off the browser's path, with retries, and durable.

Each logout owed to a client is a ``backchannel_deliveries`` row, committed before any
attempt. A background thread tries at once with bounded retries (1 s, 4 s, 16 s), so a slow
or down relying party never blocks the person's logout, and deletes the row on 200/204.
What is still owed then (the client was down, or the process stopped) is sent by ``idp
backchannel deliver`` (run it from cron, e.g. every minute), with growing pauses, and
abandoned with a warning after ``GIVE_UP_AFTER``. A fresh logout token is signed at each
attempt (they live two minutes); none is stored.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import timedelta

import requests
from flask import current_app, g

from idp.security.audit import audit
from idp.store.db import db, scoped_delete, scoped_get, scoped_update, unscoped, utcnow
from idp.store.keystore import keyring
from idp.store.models import BackchannelDelivery
from idp.clients.model import find_client
from idp.oidc.subjects import sub_for
from idp.web.metrics import count_delivery

log = logging.getLogger("idp.backchannel")
EVENT = "http://schemas.openid.net/event/backchannel-logout"
RETRY_DELAYS = (1, 4, 16)
TIMEOUT = 5
GIVE_UP_AFTER = timedelta(days=1)
MAX_PAUSE = 3600
# A delivery is held by whoever tries it (the logout's thread, or one `deliver` run) for
# this long: longer than the thread's retries (0+1+4+16 s and a 5 s timeout each), so that
# the thread and cron never send the same logout twice.
LEASE = timedelta(seconds=90)


def logout_token(tenant, client, sub: str, sid: str) -> str:
    now = int(time.time())
    claims = {
        "iss": tenant.issuer, "sub": sub, "aud": client.get_client_id(), "iat": now,
        "exp": now + 120, "jti": uuid.uuid4().hex, "events": {EVENT: {}}, "sid": sid,
    }
    return keyring(tenant.slug).sign(claims, client.id_token_signed_response_alg, typ="logout+jwt")


def _send(uri: str, token: str) -> str | None:
    """One POST; None when the client took it, else a short reason (for the log and the row)."""
    try:
        response = requests.post(uri, data={"logout_token": token}, timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        return type(exc).__name__
    return None if response.status_code in (200, 204) else f"status {response.status_code}"


def claim(row_id: int, tenant: str) -> bool:
    """Hold a due delivery for ``LEASE`` (atomic): False if another worker holds it or it is gone."""
    now = utcnow()
    held = db.session.execute(scoped_update(BackchannelDelivery, tenant, id=row_id)
                              .where(BackchannelDelivery.next_attempt_at <= now)
                              .values(next_attempt_at=now + LEASE))
    db.session.commit()
    return held.rowcount == 1


def attempt(row: BackchannelDelivery, tenant) -> bool:
    """Try ``row`` (held by the caller) once: delete it when delivered, else count the
    failure and set the next try. Written with plain statements, so that a row another
    worker already removed is not an error. The caller commits."""
    client = find_client(row.client_id, tenant.slug)
    uri = client.row.backchannel_logout_uri if client is not None else None
    if not uri:   # the client was deleted or no longer asks for back-channel logout
        db.session.execute(scoped_delete(BackchannelDelivery, tenant.slug, id=row.id))
        return True
    reason = _send(uri, logout_token(tenant, client, row.sub, row.sid))
    attempts = row.attempts + 1
    if reason is None:
        audit("backchannel_logout.sent", tenant=tenant.slug, client_id=row.client_id, attempt=attempts)
        count_delivery("sent")
        db.session.execute(scoped_delete(BackchannelDelivery, tenant.slug, id=row.id))
        return True
    pause = timedelta(seconds=min(MAX_PAUSE, 60 * 2 ** attempts))
    db.session.execute(scoped_update(BackchannelDelivery, tenant.slug, id=row.id).values(
        attempts=attempts, last_error=reason, next_attempt_at=utcnow() + pause))
    count_delivery("failed")
    audit("backchannel_logout.failed", "failure", tenant=tenant.slug, client_id=row.client_id, attempt=attempts,
          reason=reason)
    return False


def _deliver_now(app, tenant, row_id: int, delays) -> None:
    """The logout's own tries, under the lease ``notify`` took for it."""
    with app.app_context():
        for delay in (0, *delays):
            time.sleep(delay)
            row = scoped_get(BackchannelDelivery, row_id, tenant.slug)
            if row is None:
                return
            delivered = attempt(row, tenant)
            db.session.commit()
            db.session.expire_all()
            if delivered:
                return
        # the tries are over: the row is due again at its pause, for `idp backchannel deliver`


def notify(clients, account_id: str, sid: str) -> list[threading.Thread]:
    """Record a delivery for every client with a ``backchannel_logout_uri``, commit (with
    whatever the caller did before), then try them in background threads."""
    owe(clients, account_id, sid)
    db.session.commit()
    return send_owed()


def owe(clients, account_id: str, sid: str) -> None:
    """Record the deliveries owed in the caller's transaction (the end of a session and its
    deliveries commit together); once committed, :func:`send_owed` tries them. Each row holds
    the ``sub`` its client knows the account by (:func:`idp.oidc.subjects.sub_for`)."""
    rows = [BackchannelDelivery(tenant=g.tenant.slug, client_id=client.get_client_id(),
                                sub=sub_for(client, account_id), sid=sid,
                                attempts=0, next_attempt_at=utcnow() + LEASE)   # held by the thread below
            for client in clients if client.row.backchannel_logout_uri]
    db.session.add_all(rows)
    g.backchannel_owed = [*g.get("backchannel_owed", []), *rows]


def send_owed() -> list[threading.Thread]:
    """Try the committed deliveries this request owes, each in a background thread."""
    rows = g.pop("backchannel_owed", [])
    if not rows:
        return []
    app = current_app._get_current_object()
    delays = current_app.config.get("IDP_BACKCHANNEL_RETRY_DELAYS", RETRY_DELAYS)
    threads = []
    for row in rows:
        thread = threading.Thread(target=_deliver_now, args=(app, g.tenant, row.id, delays),
                                  daemon=True, name=f"backchannel-{row.client_id}")
        thread.start()
        threads.append(thread)
    return threads


def deliver_due(tenants: dict) -> dict:
    """One attempt at every delivery that is due (``idp backchannel deliver``); deliveries
    older than ``GIVE_UP_AFTER`` are abandoned with a warning. Returns the counts."""
    now = utcnow()
    counts = {"sent": 0, "failed": 0, "abandoned": 0}
    every = unscoped(BackchannelDelivery, reason="`idp backchannel deliver` sends what every tenant owes")
    due = db.session.execute(every.where(BackchannelDelivery.next_attempt_at <= now)
                             .order_by(BackchannelDelivery.next_attempt_at)).scalars().all()
    for row in due:
        if not claim(row.id, row.tenant):   # another run or the logout's thread has it
            continue
        tenant = tenants.get(row.tenant)
        if tenant is None or now - row.created_at > GIVE_UP_AFTER:
            audit("backchannel_logout.abandoned", "failure", tenant=row.tenant, client_id=row.client_id,
                  attempts=row.attempts)
            count_delivery("abandoned")
            db.session.execute(scoped_delete(BackchannelDelivery, row.tenant, id=row.id))
            counts["abandoned"] += 1
        elif attempt(row, tenant):
            counts["sent"] += 1
        else:
            counts["failed"] += 1
        db.session.commit()
    return counts
