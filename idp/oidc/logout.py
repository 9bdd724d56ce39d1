"""What ending a session does: forget the SSO session, revoke its tokens, tell the clients;
and when the person must confirm it first (RP-Initiated Logout 1.0 §2 and §6)."""

from __future__ import annotations

import logging

from flask import current_app

from idp.security.audit import audit
from idp.store.db import after_commit
from idp.oidc import sessions
from idp.oidc.backchannel import owe, send_owed
from idp.oidc.subjects import sub_for
from idp.clients.model import find_client
from idp.oidc.tokens import revoke_session_tokens

log = logging.getLogger("idp.logout")


def end_session(end_session_request=None) -> None:
    """One transaction: the session's end, its codes voided, its tokens revoked and the
    back-channel deliveries owed to its clients commit together, by the logout endpoint
    (in several, a crash in between left tokens alive after the logout, or clients never
    told); the deliveries are tried once it commits."""
    row = sessions.end_current_session()
    if row is None:
        return
    revoke_session_tokens(row.sid, commit=False)
    clients = [c for c in (find_client(cid) for cid in row.client_ids or []) if c]
    owe(clients, row.account_id, row.sid)
    after_commit(send_owed)
    audit("session.ended", account=row.account_id, clients=len(clients))


def register_upstream_logout(state, hook) -> None:
    """An upstream provider's logout, run after a local one for sessions it opened:
    ``hook(response, (provider, id_token))`` returns the response to send instead (to the
    provider's end-session endpoint, coming back to ``response``'s target), or ``response``.
    Registered by the federation's blueprint (``bp.record_once``): the engine names no page."""
    state.app.extensions.setdefault("idp_upstream_logouts", []).append(hook)


def after_local_logout(response, upstream: tuple[str, str]):
    """The local logout is done; let each upstream provider's hook end its own session."""
    for hook in current_app.extensions.get("idp_upstream_logouts", []):
        response = hook(response, upstream)
    return response


def hint_names_someone_else(end_session_request) -> bool:
    """The ``id_token_hint`` was issued for another person or another session than the one
    of this browser: RP-Initiated Logout §2 treats such a request as suspect, and as
    Keycloak does the person is asked instead of being logged out by someone else's link.
    Without a session there is nothing to end, so nothing to ask."""
    hinted, current = end_session_request.id_token_claims, sessions.current_session()
    if hinted is None or current is None:
        return False
    expected = sub_for(end_session_request.client, current.account_id)   # the hint's client's sub
    other = hinted.get("sub") != expected or hinted.get("sid") not in (None, current.sid)
    if other:
        audit("logout.confirmation_asked", reason="hint_names_another_session")
    return other


def needs_confirmation(end_session_request) -> bool:
    """No valid hint (Authlib's rule, §6), or a hint naming someone else."""
    return end_session_request.needs_confirmation or hint_names_someone_else(end_session_request)
