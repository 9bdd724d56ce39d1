"""OpenID Connect Back-Channel Logout 1.0: logout tokens (§2.4) POSTed to the clients of an
ended session (§2.5), off the browser's path, with retries.

Delivery runs in a background thread with bounded retries (1 s, 4 s, 16 s): a slow or down
relying party never blocks the person's logout. Failures are logged; nothing is persisted.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

import requests
from flask import current_app, g

from ..keystore import keyring

log = logging.getLogger("idp.backchannel")
EVENT = "http://schemas.openid.net/event/backchannel-logout"
RETRY_DELAYS = (1, 4, 16)
TIMEOUT = 5


def logout_token(client, sub: str, sid: str) -> str:
    now = int(time.time())
    claims = {
        "iss": g.tenant.issuer, "sub": sub, "aud": client.get_client_id(), "iat": now,
        "exp": now + 120, "jti": uuid.uuid4().hex, "events": {EVENT: {}}, "sid": sid,
    }
    return keyring(g.tenant.slug).sign(claims, client.id_token_signed_response_alg, typ="logout+jwt")


def _post(uri: str, token: str, tenant: str, client_id: str, delays) -> bool:
    for attempt, delay in enumerate((0, *delays)):
        time.sleep(delay)
        try:
            response = requests.post(uri, data={"logout_token": token}, timeout=TIMEOUT,
                                     allow_redirects=False)
            if response.status_code in (200, 204):
                log.info("backchannel_logout_sent tenant=%s client=%s", tenant, client_id)
                return True
            reason = f"status {response.status_code}"
        except requests.RequestException as exc:
            reason = type(exc).__name__
        log.warning("backchannel_logout_failed tenant=%s client=%s attempt=%d reason=%s",
                    tenant, client_id, attempt + 1, reason)
    return False


def notify(clients, sub: str, sid: str) -> list[threading.Thread]:
    """Send a logout token to every client with a ``backchannel_logout_uri``."""
    delays = current_app.config.get("IDP_BACKCHANNEL_RETRY_DELAYS", RETRY_DELAYS)
    threads = []
    for client in clients:
        uri = client.row.backchannel_logout_uri
        if not uri:
            continue
        token = logout_token(client, sub, sid)
        thread = threading.Thread(
            target=_post, args=(uri, token, g.tenant.slug, client.get_client_id(), delays),
            daemon=True, name=f"backchannel-{client.get_client_id()}",
        )
        thread.start()
        threads.append(thread)
    g.backchannel_threads = threads
    return threads
