"""Pending authorization requests, kept server-side while the person logs in or consents.

As node-oidc-provider's interactions and Hydra's challenges: ``/authorize`` saves the
request and redirects to a page; the page finishes with a result; the request resumes. The
handle is in the URL and in a cookie scoped to the tenant, so only the browser that started
an interaction can resume it.
"""

from __future__ import annotations

from flask import current_app, g, request

from idp.store.db import db, digest, scoped_first
from idp.store.models import Interaction
from idp.store.pending import alive, deadline, new_handle
from idp.web.cookies import set_tenant_cookie

COOKIE = "idp_interaction"


def save(params: dict, client_id: str, existing: Interaction | None = None) -> tuple[Interaction, str | None]:
    """Store a new interaction (returns its handle) or keep the existing one."""
    if existing is not None:
        return existing, None
    handle, row_id = new_handle()
    row = Interaction(
        tenant=g.tenant.slug, id=row_id, params=params, client_id=client_id,
        prompt_done=[], expires_at=deadline(_ttl()),
    )
    db.session.add(row)
    db.session.commit()
    return row, handle


def load(handle: str) -> Interaction | None:
    """The live interaction of ``handle`` if this browser started it; read once per request
    (the page's view and the CSP header both ask for it)."""
    if not handle or request.cookies.get(COOKIE) != handle:
        return None
    loaded = g.setdefault("interactions", {})
    if handle not in loaded:
        loaded[handle] = scoped_first(Interaction, id=digest(handle))
    row = loaded[handle]
    return row if alive(row) else None


def mark_done(row: Interaction, step: str, commit: bool = True) -> None:
    """Record a finished step (committed with it, or by the caller)."""
    row.prompt_done = sorted({*(row.prompt_done or []), step})
    if commit:
        db.session.commit()


def finish(row: Interaction, commit: bool = True) -> None:
    for handle, loaded in list(g.get("interactions", {}).items()):
        if loaded is row:
            g.interactions[handle] = None
    db.session.delete(row)
    if commit:
        db.session.commit()


def _ttl() -> int:
    return current_app.config["IDP_SETTINGS"].tokens.interaction_ttl


def set_cookie(response, handle: str) -> None:
    set_tenant_cookie(response, COOKIE, handle, _ttl())
