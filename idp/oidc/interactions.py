"""Pending authorization requests, kept server-side while the person logs in or consents.

As node-oidc-provider's interactions and Hydra's challenges: ``/authorize`` saves the
request and redirects to a page; the page finishes with a result; the request resumes. The
handle is in the URL and in a cookie scoped to the tenant, so only the browser that started
an interaction can resume it.
"""

from __future__ import annotations

from flask import current_app, g, request, url_for

from idp.clients.model import find_client
from idp.store.db import db, digest, scoped_first
from idp.store.models import Interaction
from idp.store.pending import alive, deadline, new_handle
from idp.web.cookies import clear_tenant_cookie, set_tenant_cookie
from idp.web.headers import origin_of

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
    db.session.add(row)   # committed by the caller, with the rest of its request
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


def handle_of(row: Interaction) -> str | None:
    """The handle ``row`` was loaded with in this request (only its digest is stored)."""
    return next((handle for handle, loaded in g.get("interactions", {}).items() if loaded is row), None)


def mark_done(row: Interaction, step: str) -> None:
    """Record a finished step; committed by the caller, with what the step changed."""
    row.prompt_done = sorted({*(row.prompt_done or []), step})


def finish(row: Interaction) -> None:
    """The request was answered: the interaction is over (committed by the caller)."""
    for handle, loaded in list(g.get("interactions", {}).items()):
        if loaded is row:
            g.interactions[handle] = None
    db.session.delete(row)


def register_page(state, step: str, endpoint: str) -> None:
    """Name the page that handles a pending ``step`` (``login``, ``email``, ``consent``);
    called by the pages' blueprints when they are registered (``bp.record_once``), so that
    the engine never names a page."""
    state.app.extensions.setdefault("idp_interaction_pages", {})[step] = endpoint


def page_url(step: str, handle: str) -> str:
    """Where the person goes for ``step``: its page, as registered; any other step asks
    for consent, as the consent page decides what the request still needs."""
    pages = current_app.extensions["idp_interaction_pages"]
    return url_for(pages.get(step) or pages["consent"], handle=handle)


def relying_party_origin(tenant) -> str | None:
    """The ``redirect_uri`` origin of this browser's pending authorization request: the
    pages of the interaction end there (CSP ``form-action``, idp/web/headers.py)."""
    handle = request.cookies.get(COOKIE)
    row = load(handle) if handle else None
    if row is None:
        return None
    uri = row.params.get("redirect_uri")
    if not uri:
        client = find_client(row.client_id)
        uri = client.get_default_redirect_uri() if client is not None else None
    return origin_of(uri)


def _ttl() -> int:
    return current_app.config["IDP_SETTINGS"].tokens.interaction_ttl


def set_cookie(response, handle: str) -> None:
    set_tenant_cookie(response, COOKIE, handle, _ttl())


def clear_cookie(response) -> None:
    """The interaction is over: the browser forgets its handle. Kept, it made every later
    page and redirect of this browser look the finished interaction up again (CSP
    ``form-action``, :func:`relying_party_origin`): a SELECT per authorization of a person
    with a live session (issue 15)."""
    if request.cookies.get(COOKIE):
        clear_tenant_cookie(response, COOKIE)
