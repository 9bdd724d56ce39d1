"""The FranceConnect link as the account's holder sees and ends it.

A link lets whoever holds the FranceConnect identity log in without the password, so it is
treated as a credential (OWASP ASVS 5 V6.3: the holder sees and revokes their means of
authentication; Keycloak's "Linked accounts"):

- ``/account`` shows it, with the day it was made;
- the holder removes it there, after a recent authentication (``[verification]
  recent_authentication``, else the password again, as for a contact change). An account
  created through FranceConnect without a password keeps it until it has one: it would be
  left without any way in. The sessions opened through FranceConnect end with it;
- a new password (changed, or set after « Mot de passe oublié ») ends a link that was
  *added* to an existing account by a password login: that password may have been someone
  else's, and the link must not outlive it. The link of an account created through
  FranceConnect is its origin, not a login someone could have borrowed: it stays;
- each removal is audited and told to the holder (``franceconnect_unlinked``).
"""

from __future__ import annotations

from flask import redirect, url_for
from flask_babel import lazy_gettext as _l

from idp.security.audit import audit
from idp.store.db import after_commit, commit_request, db, scoped_all
from idp.store.models import Account, SsoSession
from idp.federation.provider import PROVIDER
from idp.federation.linking import links_of
from idp.federation.views import bp
from idp.accounts import credentials
from idp.accounts.selfservice import _account, _page, _reauthentication_refused

NO_PASSWORD = _l("Ajoutez d'abord un mot de passe : sans lui, FranceConnect est le seul moyen de vous connecter "
                 "à ce compte.")


def unlink(account: Account, reason: str, keep: SsoSession | None = None) -> bool:
    """Remove the account's FranceConnect link and end the sessions opened through it (but
    ``keep``), in the request's transaction; once it commits, the holder is told. Returns
    whether there was one."""
    links = links_of(account)
    if not links:
        return False
    for row in links:
        db.session.delete(row)
    account.profile = {k: v for k, v in (account.profile or {}).items() if k != "franceconnect_linked_at"}
    for row in scoped_all(SsoSession, account_id=account.id, upstream_provider=PROVIDER):
        if keep is None or row.id != keep.id:
            credentials.end_session(row)
    audit("franceconnect.unlink", account=account.id, reason=reason)
    after_commit(credentials.tell, account, "franceconnect_unlinked", {})
    return True


def after_new_password(account: Account) -> None:
    """A new password ends a link added to an existing account (not that of an account
    created through FranceConnect)."""
    if (account.profile or {}).get("origin") != PROVIDER:
        unlink(account, "password_changed")   # with the new password


# the accounts' credentials call it, without naming the federation (idp/accounts/credentials.py)
bp.record_once(lambda state: credentials.register_new_password_hook(state, after_new_password))
bp.record_once(lambda state: credentials.register_suspension_hook(state, unlink))


@bp.route("/account/franceconnect/remove", methods=["POST"])
def remove():
    session, account = _account()
    if account is None:
        return redirect(url_for("accounts.direct_login"))
    if account.password_hash is None:
        return _page(account, 400, errors={"franceconnect": NO_PASSWORD})
    refused = _reauthentication_refused(session, account, "franceconnect")
    if refused:
        return _page(account, refused[1], errors={"franceconnect": refused[0]})
    unlink(account, "holder", keep=session)
    commit_request()
    return redirect(url_for("selfservice.overview", done="franceconnect"))
