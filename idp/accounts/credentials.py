"""What follows a change of password or of contact details (OWASP ASVS 5 V7.4.3 and V6.3.7,
as Keycloak's "sign out other devices" and Kratos's session revocation do): every other SSO
session ends as a logout would end it (its tokens revoked, its clients told by back-channel
logout), every refresh token of the account not bound to the session kept is revoked
(offline ones included: a stolen one must not outlive the new password), and the person is
told by a message, so that a change they did not make does not go unnoticed.
"""

from __future__ import annotations

import logging
from datetime import timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from policies.identifiers.email import EmailScheme
from sqlalchemy import or_

from idp.store.db import after_commit, db, scoped, scoped_all, utcnow
from idp.store.models import Account, RefreshToken, SsoSession
from idp.oidc.backchannel import owe, send_owed
from idp.clients.model import find_client
from idp.oidc.tokens import revoke_family, revoke_session_tokens
from idp.security.audit import audit
from idp.signup.delivery import deliver

log = logging.getLogger("idp.account")


def end_other_sessions(account: Account, keep: SsoSession | None = None) -> int:
    """End every session of ``account`` but ``keep``, as a logout does, in the request's
    transaction (:func:`end_session`); returns how many."""
    ended = [row for row in scoped_all(SsoSession, account_id=account.id) if keep is None or row.id != keep.id]
    for row in ended:
        end_session(row)
    return len(ended)


def end_session(row: SsoSession) -> None:
    """End one session as a logout does: its codes voided, its tokens revoked, the
    back-channel deliveries to its clients recorded, all in the request's one transaction;
    the clients are told once it commits. Committed apart, a crash between them left a
    session gone whose clients were never told."""
    revoke_session_tokens(row.sid, commit=False)
    clients = [c for c in (find_client(cid) for cid in row.client_ids or []) if c]
    db.session.delete(row)
    owe(clients, row.account_id, row.sid)
    after_commit(send_owed)


def revoke_refresh_tokens(account: Account, reason: str, keep: SsoSession | None = None) -> int:
    """Revoke every live refresh-token family of ``account`` (and the access tokens issued
    with it) except those issued in session ``keep``; returns how many families."""
    query = scoped(RefreshToken, account_id=account.id).where(
        RefreshToken.revoked_at.is_(None)).with_only_columns(RefreshToken.family_id)
    if keep is not None:
        query = query.where(or_(RefreshToken.sid.is_(None), RefreshToken.sid != keep.sid))
    families = db.session.execute(query.distinct()).scalars().all()
    for family in families:
        revoke_family(family, reason, commit=False)   # committed by the caller
    return len(families)


def register_suspension_hook(state, hook) -> None:
    """``hook(account, reason) -> bool`` runs in the transaction of an operator's suspension
    (``idp users suspend``, ``lockUser``): the federation removes the FranceConnect link
    and says whether there was one. Registered by its blueprint, as the new-password hook."""
    state.app.extensions.setdefault("idp_suspension_hooks", []).append(hook)


def suspension_hooks(account: Account, reason: str) -> bool:
    """Run every suspension hook; whether one of them removed something."""
    return any([hook(account, reason) for hook in current_app.extensions.get("idp_suspension_hooks", [])])


def register_new_password_hook(state, hook) -> None:
    """``hook(account)`` runs in the transaction of every new password: the federation ends
    a link the old password made (idp/federation/account_link.py). Registered by its
    blueprint (``bp.record_once``), so that the accounts import no federation."""
    state.app.extensions.setdefault("idp_new_password_hooks", []).append(hook)


def password_changed(account: Account, keep: SsoSession | None = None, how: str = "change") -> None:
    """After a new password (``how``: "change" in /account, "reset" after "mot de passe
    oublié"): the other sessions end, the tokens are revoked, and once the request commits
    (with the new password, set by the caller) the person is told. Committed first, the new
    password left the sessions and tokens of whoever knew the old one alive after a crash."""
    sessions = end_other_sessions(account, keep)
    families = revoke_refresh_tokens(account, f"password_{how}", keep)
    for hook in current_app.extensions.get("idp_new_password_hooks", []):
        hook(account)        # a FranceConnect link added with the old password ends too (federation)
    after_commit(tell, account, "password_changed", {"when": _now_text(), "reset": how == "reset"})
    audit("password.reset" if how == "reset" else "password.changed", account=account.id, sessions_ended=sessions,
          token_families_revoked=families)


def contact_changed(account: Account, channel: str, old_email: str | None, old_email_verified: bool,
                    old_phone: str | None, new_value: str) -> None:
    """Tell the old address of a contact change (or, for a new mobile, the verified email,
    else the old mobile): the one who changed it may not be the owner."""
    context = {"when": _now_text(), "changed": "email" if channel == "email" else "phone",
               "new_contact": mask_contact(new_value)}
    if channel == "email" and old_email and old_email_verified:
        deliver("email", old_email, "contact_changed", context)
    elif channel != "email" and account.email and account.email_verified:
        deliver("email", account.email, "contact_changed", context)
    elif channel != "email" and old_phone:
        deliver("sms", old_phone, "contact_changed", context)


def tell(account: Account, template: str, context: dict) -> None:
    """A message to the person: their verified email, else their verified mobile."""
    if account.email and account.email_verified:
        deliver("email", account.email, template, context)
    elif account.phone_number and (account.profile or {}).get("phone_number_verified"):
        deliver("sms", account.phone_number, template, context)


def mask_contact(value: str) -> str:
    """``n***@example.fr`` or ``+33 6** *** *78``: enough for the owner to recognise it."""
    if "@" in value:
        return EmailScheme().mask(value)
    return f"{value[:4]}** *** *{value[-2:]}" if len(value) > 6 else "***"


def _now_text() -> str:
    """Now, as the person reads it: Paris time (UTC, said so, where no time-zone data exists)."""
    now = utcnow().replace(tzinfo=timezone.utc)
    try:
        return now.astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y à %H:%M")
    except ZoneInfoNotFoundError:
        return now.strftime("%d/%m/%Y à %H:%M (UTC)")
