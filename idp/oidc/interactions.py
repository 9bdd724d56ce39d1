"""Pending authorization requests, kept server-side while the person logs in or consents.

As node-oidc-provider's interactions and Hydra's challenges: ``/authorize`` saves the
request and redirects to a page; the page finishes with a result; the request resumes. The
handle is in the URL and in a cookie scoped to the tenant, so only the browser that started
an interaction can resume it.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request

from idp.store.db import db, digest, new_secret, scoped_first, utcnow
from idp.store.models import Interaction

COOKIE = "idp_interaction"


def save(params: dict, client_id: str, existing: Interaction | None = None) -> tuple[Interaction, str | None]:
    """Store a new interaction (returns its handle) or keep the existing one."""
    if existing is not None:
        return existing, None
    handle = new_secret(24)
    ttl = current_app.config["IDP_SETTINGS"].tokens.interaction_ttl
    row = Interaction(
        tenant=g.tenant.slug, id=digest(handle), params=params, client_id=client_id,
        prompt_done=[], expires_at=utcnow() + timedelta(seconds=ttl),
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
    if row is None or row.expires_at <= utcnow():
        return None
    return row


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


def set_cookie(response, handle: str) -> None:
    ttl = current_app.config["IDP_SETTINGS"].tokens.interaction_ttl
    secure = current_app.config["IDP_SETTINGS"].server.public_url.startswith("https://")
    response.set_cookie(COOKIE, handle, path=f"/{g.tenant.slug}/", httponly=True,
                        samesite="Lax", secure=secure, max_age=ttl)
