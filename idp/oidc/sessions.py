"""Server-side SSO sessions, one cookie per tenant (path = the tenant's issuer path).

The cookie holds a random value; the database holds its SHA-256 and the public ``sid``
that ID tokens and logout tokens carry (OIDC Front/Back-Channel Logout §2.1). A new login
always makes a new session row and cookie (no fixation). When the browser already had a
session, the new login takes it over rather than dropping it (:func:`_take_over`): a logout
must still end what was issued before it.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app, g, request

from idp.clients.model import find_client
from idp.oidc.backchannel import notify
from idp.oidc.tokens import revoke_session_tokens
from idp.security.vault import vault
from idp.store.db import db, digest, new_secret, scoped_first, utcnow
from idp.store.models import Account, SsoSession
from idp.web.cookies import clear_tenant_cookie, set_tenant_cookie
from idp.web.headers import rotate_csrf_token

COOKIE = "idp_session"


def _settings():
    return current_app.config["IDP_SETTINGS"]


def current_session() -> SsoSession | None:
    """The live session of this tenant's cookie, with its account, or None."""
    if "sso_session" in g:
        return g.sso_session
    value = request.cookies.get(COOKIE)
    found = account = None
    if value:
        row = scoped_first(SsoSession, id=digest(value))
        if row is not None and row.expires_at > utcnow():
            account = scoped_first(Account, id=row.account_id)
            if account is not None and account.status == "active":
                found = row
    g.sso_session, g.sso_account = found, account if found else None
    return found


def recent(row: SsoSession | None) -> bool:
    """The session's login is of the last ``[verification] recent_authentication`` seconds:
    what a change of the account's ways of recovery asks (a contact, an email added)."""
    window = _settings().verification.recent_authentication
    return row is not None and time.time() - row.auth_time <= window


def session_account(row: SsoSession) -> Account | None:
    """The account of ``row``: the one read with the session in this request, else read now."""
    account = g.get("sso_account")
    if account is not None and account.id == row.account_id:
        return account
    return scoped_first(Account, id=row.account_id)


def _ttl(remember: bool) -> int:
    tokens = _settings().tokens
    return tokens.remembered_session_ttl if remember else tokens.session_ttl


def start_session(account: Account, acr: str, amr: list[str], remember: bool = False,
                  upstream: tuple[str, str] | None = None) -> tuple[SsoSession, str]:
    """Open a new session for ``account``; returns the row and the cookie value to set.
    Committed by the caller (:mod:`idp.oidc.finish`), with the step and the code.

    "Se souvenir de moi" extends the session to ``remembered_session_ttl``. ``upstream`` is
    (provider, its ID token) when the person came through FranceConnect: the token, sealed,
    is the ``id_token_hint`` of the logout that ends the upstream session too."""
    previous = end_current_session()
    rotate_csrf_token()   # a token seen before the login is not valid after it (idp/web/headers.py)
    value = new_secret(32)
    row = SsoSession(
        tenant=g.tenant.slug, id=digest(value), sid=new_secret(16), account_id=account.id,
        auth_time=int(time.time()), acr=acr, amr=list(amr), client_ids=[],
        expires_at=utcnow() + timedelta(seconds=_ttl(remember)),
    )
    if upstream is not None:
        row.upstream_provider = upstream[0]
        row.upstream_id_token_sealed = vault().seal(g.tenant.slug, upstream[1])
    if previous is not None:
        _take_over(previous, row)
    db.session.add(row)
    g.sso_session, g.sso_account = row, account
    return row, value


def _take_over(previous: SsoSession, row: SsoSession) -> None:
    """A login in a browser that had a session (``prompt=login``, ``max_age``, FranceConnect
    asking its identity provider, a login asked again before an account change, another
    person). Dropping the old row, as before, left its tokens and clients out of the next
    logout: refresh tokens it issued lived on and its clients were never told.

    - The same person: the new session continues the old one, as Keycloak re-authenticates
      its user session: same ``sid`` and clients (and FranceConnect session, when this
      login is local), so the logout ends, revokes and tells everything issued since the
      first login;
    - someone else: the old session ends as a logout ends it (its tokens revoked, its
      clients told by back-channel logout): this browser is no longer its person's.
    """
    if previous.account_id == row.account_id:
        row.sid, row.client_ids = previous.sid, list(previous.client_ids or [])
        if row.upstream_provider is None:
            row.upstream_provider = previous.upstream_provider
            row.upstream_id_token_sealed = previous.upstream_id_token_sealed
        return
    revoke_session_tokens(previous.sid, commit=False)
    notify([c for c in (find_client(cid) for cid in previous.client_ids or []) if c], previous.account_id,
           previous.sid)


def step_up(row: SsoSession, acr: str, amr: list[str]) -> None:
    """A second factor given in this session (idp/mfa): its level rises to ``acr``, its
    ``amr`` gains the factor's values and ``mfa``, and the factor's time is kept (``max_age``
    applies to it: :mod:`.levels`). Same row, cookie and ``sid``: no second password, and
    what was issued before stays under the same logout. Committed by the caller."""
    row.acr = acr
    row.amr = list(dict.fromkeys([*(row.amr or []), *amr, "mfa"]))
    row.mfa_time = int(time.time())


def add_client(row: SsoSession, client_id: str) -> None:
    """Remember the client for logout (committed by the caller, with the code)."""
    if client_id not in (row.client_ids or []):
        row.client_ids = [*(row.client_ids or []), client_id]


def end_current_session() -> SsoSession | None:
    """Forget this browser's session (committed by the caller, with what ends with it)."""
    row = current_session()
    if row is not None:
        db.session.delete(row)
    g.sso_session = g.sso_account = None
    return row


def set_cookie(response, value: str, remember: bool = False) -> None:
    set_tenant_cookie(response, COOKIE, value, _ttl(remember))


def clear_cookie(response) -> None:
    clear_tenant_cookie(response, COOKIE)


def upstream_of(row: SsoSession | None) -> tuple[str, str] | None:
    """(provider, ID token) of a session opened through an upstream provider, or None."""
    if row is None or not row.upstream_provider or not row.upstream_id_token_sealed:
        return None
    return row.upstream_provider, vault().unseal(row.tenant, row.upstream_id_token_sealed)
