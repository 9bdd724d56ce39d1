"""What the account pages decide, as functions a test calls without a request.

Values in, result out: none reads ``request`` or the browser's ``session`` (the tenant is
``g.tenant``, set by the caller), none commits. The page parses the form, calls one of them,
commits the request's one transaction (:func:`idp.store.db.commit_request`, which then sends
what the change owes: back-channel logouts, messages) and renders.

- :func:`choose_personal_code`: a provisional code (sent by letter) replaced by the
  personal one, which opens the account;
- :func:`erase`: the RGPD erasure (art. 17) by the holder or an operator.

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
from idp.store.db import after_commit, db, scoped_delete
from idp.store.models import (Account, Consent, FederatedIdentity, PairwiseSubject, PasskeyCredential, RefreshToken,
                              Verification)
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
