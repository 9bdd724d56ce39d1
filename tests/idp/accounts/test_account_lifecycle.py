"""The account pages' decisions called as services: no test client, no request, the tenant
in ``g.tenant`` as a caller sets it (issue 14 item 5). None commits: what they change is
written by the caller's one commit, and a caller that fails instead leaves nothing."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest

from helpers import make_account, make_client


@contextmanager
def in_tenant(app, slug="caf"):
    from flask import g

    with app.app_context():
        g.tenant = app.extensions["idp_tenants"][slug]
        yield


def provisional_account(app) -> str:
    from idp.store.db import db
    from idp.store.models import Account

    account_id = make_account(app)
    with app.app_context():
        account = db.session.get(Account, account_id)
        account.status, account.profile = "provisional", {"provisional_code_expires": "2099-01-01T00:00:00"}
        db.session.commit()
    return account_id


def reread(app, model, **filters):
    from idp.store.db import db

    with app.app_context():
        return db.session.execute(db.select(model).filter_by(**filters)).scalars().all()


@pytest.mark.parametrize("code, repeated, field", [("court", "court", "password"),
                                                   ("Personnel2026", "Personnel2027", "password_repeat")])
def test_a_refused_personal_code_changes_nothing(app, code, repeated, field):
    from idp.accounts.lifecycle import choose_personal_code
    from idp.store.db import db
    from idp.store.models import Account

    account_id = provisional_account(app)
    with in_tenant(app):
        account = db.session.get(Account, account_id)
        before = account.password_hash
        errors = choose_personal_code(account, code, repeated)
        assert list(errors) == [field] and errors[field]
        assert account.status == "provisional" and account.password_hash == before


def test_the_personal_code_opens_the_account_with_the_callers_commit(app):
    from idp.accounts.lifecycle import choose_personal_code
    from idp.security.passwords import verify_password
    from idp.security.passwords import tenant_hasher
    from idp.store.db import db
    from idp.store.models import Account

    account_id = provisional_account(app)
    with in_tenant(app):
        account = db.session.get(Account, account_id)
        assert choose_personal_code(account, "Personnel2026", "Personnel2026") == {}
        assert account.status == "active" and "provisional_code_expires" not in account.profile
        assert verify_password(tenant_hasher(), account.password_hash, "Personnel2026")
        db.session.rollback()     # the caller failed: nothing was written
    assert reread(app, Account, id=account_id)[0].status == "provisional"
    with in_tenant(app):
        choose_personal_code(db.session.get(Account, account_id), "Personnel2026", "Personnel2026")
        db.session.commit()
    assert reread(app, Account, id=account_id)[0].status == "active"


def _account_with_everything(app) -> tuple[str, str]:
    """An account with a consent, a session, a refresh-token family and its access token,
    a FranceConnect link and a pending verification."""
    from idp.store.db import db, utcnow
    from idp.store.models import (Consent, FederatedIdentity, IssuedAccessToken, RefreshToken, SsoSession,
                                  Verification)

    account_id = make_account(app)
    client_id, _ = make_client(app)
    later, family, jti = utcnow() + timedelta(hours=1), str(uuid.uuid4()), uuid.uuid4().hex
    with app.app_context():
        db.session.add_all([
            Consent(tenant="caf", account_id=account_id, client_id=client_id, scopes=["openid"], claims=[]),
            SsoSession(tenant="caf", id="d" * 64, sid="s" * 32, account_id=account_id, auth_time=0, acr="eidas1",
                       amr=["pwd"], client_ids=[client_id], expires_at=later),
            RefreshToken(tenant="caf", token_hash="r" * 64, family_id=family, client_id=client_id,
                         account_id=account_id, scope="openid offline_access", auth_time=0, sid="s" * 32,
                         expires_at=later),
            IssuedAccessToken(tenant="caf", jti=jti, family_id=family, client_id=client_id, sid="s" * 32,
                              expires_at=later),
            FederatedIdentity(tenant="caf", provider="franceconnect", subject="f" * 64, account_id=account_id),
            Verification(tenant="caf", purpose="contact_change", subject=account_id, channel="email",
                         destination="autre@example.fr", secret_hash="", attempts=0, sends=1,
                         last_sent_at=utcnow(), expires_at=later),
        ])
        db.session.commit()
    return account_id, jti


def test_erase_writes_nothing_until_the_caller_commits(app):
    from idp.accounts.lifecycle import erase
    from idp.store.db import db
    from idp.store.models import Account, Consent, RevokedToken

    account_id, jti = _account_with_everything(app)
    with in_tenant(app):
        erase(db.session.get(Account, account_id))
        db.session.rollback()
    assert reread(app, Account, id=account_id) and reread(app, Consent, account_id=account_id)
    assert reread(app, RevokedToken, jti=jti) == []


def test_erase_removes_the_account_and_all_it_holds_in_one_commit(app, caplog):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from idp.accounts.lifecycle import erase
    from idp.store.db import commit_request, db
    from idp.store.models import (Account, Consent, FederatedIdentity, RefreshToken, RevokedToken, SsoSession,
                                  Verification)

    caplog.set_level("INFO", logger="idp.audit")   # the erasure's audit line (INFO) is what is checked
    account_id, jti = _account_with_everything(app)
    commits = []
    record = commits.append
    caplog.set_level("INFO", logger="idp.audit")
    with in_tenant(app):
        account = db.session.get(Account, account_id)
        event.listen(Session, "after_commit", record)
        try:
            assert erase(account) == account_id
            assert '"account.deleted"' not in caplog.text     # said once it is done
            commit_request()
        finally:
            event.remove(Session, "after_commit", record)
    assert len(commits) == 1 and '"event": "account.deleted"' in caplog.text and '"tenant": "caf"' in caplog.text
    for model, owner in ((Account, "id"), (Consent, "account_id"), (SsoSession, "account_id"),
                         (RefreshToken, "account_id"), (FederatedIdentity, "account_id"), (Verification, "subject")):
        assert reread(app, model, **{owner: account_id}) == [], model.__name__
    assert len(reread(app, RevokedToken, jti=jti)) == 1      # its live access token is denied
