"""An account's life after its creation (:mod:`.service` creates and finds accounts): what the
account pages, the CLI and the admin API decide, as functions a test calls without a request.

Values in, result out: none reads ``request`` or the browser's ``session`` (the tenant is
``g.tenant``, set by the caller), none commits. The page parses the form, calls one of them,
commits the request's one transaction (:func:`idp.store.db.commit_request`, which then sends
what the change owes: back-channel logouts, messages) and renders.

- :func:`choose_personal_code`: a provisional code (sent by letter) replaced by the
  personal one, which opens the account;
- :func:`erase`: the RGPD erasure (art. 17) by the holder or an operator;
- what an operator does to an account, from ``idp users`` or the admin API alike
  (:mod:`idp.cli.users`, :mod:`idp.admin.api`): :func:`activate`, :func:`suspend`,
  :func:`unlock`, :func:`sessions_of`, :func:`revoke_sessions`, :func:`erase_by_operator`.
  Each refuses what it cannot do with :class:`AccountStateError`; repeating one that was done
  changes nothing (an account suspended twice stays suspended): they are idempotent.

Consent given and withdrawn are :func:`idp.oidc.consent.give` and
:func:`idp.oidc.consent.withdraw`; account linking by NIR is
:func:`idp.federation.linking.refusal_to_link`.
"""

from __future__ import annotations

import logging

from flask import g
from flask_babel import lazy_gettext as _l

from idp.accounts import credentials
from idp.accounts.service import account_identifier
from idp.oidc.backchannel import send_owed
from idp.security.audit import audit
from idp.security.passwords import tenant_hasher
from idp.store.db import after_commit, db, scoped, scoped_delete
from idp.store.models import (Account, Consent, FederatedIdentity, PairwiseSubject, PasskeyCredential, RefreshToken,
                              SsoSession, Verification)
from idp.web.i18n import tr

log = logging.getLogger("idp.account")


def choose_personal_code(account: Account, code: str, repeated: str) -> dict[str, str]:
    """Replace the provisional code by the personal ``code`` the person chose: the refusals
    by field (the tenant's password policy, the repetition), else ``{}`` and the account is
    active with the new code (not committed)."""
    verdict = g.tenant.password_policy.check(code, identifier=account_identifier(account),
                                             names=[n for n in (account.given_name, account.family_name) if n])
    if not verdict.passing:
        return {"password": " ".join(tr(m) for m in verdict.messages)}
    if code != repeated:
        return {"password_repeat": _l("Les deux codes ne sont pas identiques.")}
    account.password_hash = tenant_hasher().hash(code)
    account.status = "active"
    account.profile = {k: v for k, v in (account.profile or {}).items() if k != "provisional_code_expires"}
    return {}


def erase(account: Account) -> str:
    """Revoke every token, end every session, erase personal data, in the request's one
    transaction (a crash no longer leaves an account half erased); once it commits, the
    clients of the ended sessions are told and an audit line without personal data (tenant,
    random account id, time) is written. Returns the erased account's id."""
    tenant, account_id = g.tenant.slug, account.id
    credentials.revoke_refresh_tokens(account, "account_deleted")
    credentials.end_other_sessions(account)
    db.session.execute(scoped_delete(Consent, tenant, account_id=account_id))
    db.session.execute(scoped_delete(Verification, tenant, subject=account_id))
    db.session.execute(scoped_delete(RefreshToken, tenant, account_id=account_id))
    db.session.execute(scoped_delete(FederatedIdentity, tenant, account_id=account_id))
    db.session.execute(scoped_delete(PairwiseSubject, tenant, account_id=account_id))
    db.session.execute(scoped_delete(PasskeyCredential, tenant, account_id=account_id))
    db.session.delete(account)
    after_commit(send_owed)
    after_commit(_erased, tenant, account_id)
    return account_id


def _erased(tenant: str, account_id: str) -> None:
    audit("account.deleted", tenant=tenant, account=account_id)


class AccountStateError(ValueError):
    """The account is not in a status the operation applies to (the message says which)."""


PENDING = ("pending_document", "pending_activation")


def activate(account: Account) -> str:
    """Open an account waiting for its activation or for its supporting document to be
    checked, or a suspended one (``idp users activate``, ``activateUser``); returns the
    previous status. ``unlockUser`` (:func:`unlock`) reopens only a suspended account."""
    previous = account.status
    if previous != "active":
        account.status = "active"
        audit("account.activated", tenant=account.tenant, account=account.id, channel="operator",
              previous_status=previous)
    return previous


def suspend(account: Account) -> dict:
    """Freeze an account whose number its real owner disputes: no login, by password or
    FranceConnect; every session ended, every token revoked, the FranceConnect link
    removed, in the request's transaction (``g.tenant`` is the account's tenant)."""
    previous = account.status
    sessions = credentials.end_other_sessions(account)
    credentials.revoke_refresh_tokens(account, "account_suspended")
    unlinked = credentials.suspension_hooks(account, "operator")   # the FranceConnect link (federation)
    if previous != "suspended":
        account.status = "suspended"
        audit("account.suspended", account=account.id, previous_status=previous)
    return {"previous_status": previous, "sessions_ended": sessions, "franceconnect_unlinked": unlinked}


def unlock(account: Account) -> str:
    """Reopen a suspended account (``unlockUser``); returns the previous status."""
    previous = account.status
    if previous in PENDING:
        raise AccountStateError("the account was never opened: activate it instead")
    if previous != "active":
        account.status = "active"
        audit("account.unlocked", account=account.id, previous_status=previous)
    return previous


def sessions_of(account: Account) -> list[dict]:
    """The account's SSO sessions as an operator sees them (no session id: the public sid)."""
    rows = db.session.execute(scoped(SsoSession, account.tenant, account_id=account.id)
                              .order_by(SsoSession.created_at)).scalars()
    return [{"sid": r.sid, "auth_time": r.auth_time, "acr": r.acr, "amr": r.amr, "clients": r.client_ids,
             "upstream_provider": r.upstream_provider, "created_at": r.created_at, "expires_at": r.expires_at}
            for r in rows]


def revoke_sessions(account: Account) -> dict:
    """End every session and revoke every token of the account, as a logout everywhere."""
    ended = credentials.end_other_sessions(account)
    families = credentials.revoke_refresh_tokens(account, "operator")
    audit("sessions.revoked_by_operator", account=account.id, sessions_ended=ended, token_families_revoked=families)
    return {"sessions_ended": ended, "token_families_revoked": families}


def erase_by_operator(account: Account) -> str:
    """:func:`erase`, said to be the operator's in the audit trail."""
    account_id = erase(account)
    after_commit(_erased_by_operator, g.tenant.slug, account_id)
    return account_id


def _erased_by_operator(tenant: str, account_id: str) -> None:
    audit("account.deleted_by_operator", tenant=tenant, account=account_id)
