"""What ending a session does: forget the SSO session, revoke its tokens, tell the clients."""

from __future__ import annotations

import logging

from flask import g

from . import sessions
from .backchannel import notify
from .clients import find_client
from .tokens import revoke_session_tokens

log = logging.getLogger("idp.logout")


def end_session(end_session_request=None) -> None:
    row = sessions.end_current_session()
    if row is None:
        return
    revoke_session_tokens(row.sid)
    clients = [c for c in (find_client(cid) for cid in row.client_ids or []) if c]
    notify(clients, row.account_id, row.sid)
    log.info("session_ended tenant=%s clients=%d", g.tenant.slug, len(clients))
