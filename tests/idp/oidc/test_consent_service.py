"""Consent given and withdrawn as services (:func:`idp.oidc.consent.give`, ``withdraw``):
no test client, no request, the tenant in ``g.tenant``; nothing committed by them."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import timedelta

from helpers import make_account, make_client


@contextmanager
def in_tenant(app, slug="caf"):
    from flask import g

    with app.app_context():
        g.tenant = app.extensions["idp_tenants"][slug]
        yield


def reread(app, model, **filters):
    from idp.store.db import db

    with app.app_context():
        return db.session.execute(db.select(model).filter_by(**filters)).scalars().all()


def test_give_records_only_what_the_account_holds_of_what_was_shown(app):
    from idp.oidc import consent
    from idp.store.db import db
    from idp.store.models import Account, Consent

    account_id = make_account(app)
    client_id, _ = make_client(app)
    with in_tenant(app):
        from idp.clients.model import find_client

        client, account = find_client(client_id), db.session.get(Account, account_id)
        needed = consent.Asked(scopes=("openid", "email", "phone"), claims=())
        consent.give(account, client, needed, {"email", "phone_number", "address"})
        db.session.commit()
    granted = reread(app, Consent, account_id=account_id)[0]
    assert granted.scopes == ["email", "openid", "phone"] and granted.claims == ["email"]


def _consent_with_tokens(app):
    from idp.store.db import db, utcnow
    from idp.store.models import Consent, IssuedAccessToken, RefreshToken

    account_id = make_account(app)
    client_id, _ = make_client(app)
    other_id, _ = make_client(app, client_id="autre-service")
    later = utcnow() + timedelta(hours=1)
    rows, jtis = [], {}
    for client in (client_id, other_id):
        family, jtis[client] = str(uuid.uuid4()), uuid.uuid4().hex
        rows += [Consent(tenant="caf", account_id=account_id, client_id=client, scopes=["openid"], claims=[]),
                 RefreshToken(tenant="caf", token_hash=uuid.uuid4().hex * 2, family_id=family, client_id=client,
                              account_id=account_id, scope="openid offline_access", auth_time=0, expires_at=later),
                 IssuedAccessToken(tenant="caf", jti=jtis[client], family_id=family, client_id=client,
                                   expires_at=later)]
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()
    return account_id, client_id, other_id, jtis


def test_withdraw_ends_the_consent_and_that_clients_tokens_only(app):
    from idp.oidc import consent
    from idp.store.db import db
    from idp.store.models import Consent, RefreshToken, RevokedToken

    account_id, client_id, other_id, jtis = _consent_with_tokens(app)
    with in_tenant(app):
        assert consent.withdraw(account_id, client_id) is True
        db.session.commit()
    assert [c.client_id for c in reread(app, Consent, account_id=account_id)] == [other_id]
    assert reread(app, RefreshToken, client_id=client_id)[0].revoked_at is not None
    assert reread(app, RefreshToken, client_id=other_id)[0].revoked_at is None
    assert reread(app, RevokedToken, jti=jtis[client_id]) and not reread(app, RevokedToken, jti=jtis[other_id])
    with in_tenant(app):
        assert consent.withdraw(account_id, client_id) is False


def test_withdraw_leaves_everything_when_the_caller_does_not_commit(app):
    from idp.oidc import consent
    from idp.store.db import db
    from idp.store.models import Consent, RefreshToken, RevokedToken

    account_id, client_id, _, jtis = _consent_with_tokens(app)
    with in_tenant(app):
        consent.withdraw(account_id, client_id)
        db.session.rollback()
    assert len(reread(app, Consent, account_id=account_id)) == 2
    assert reread(app, RefreshToken, client_id=client_id)[0].revoked_at is None
    assert reread(app, RevokedToken, jti=jtis[client_id]) == []


def test_withdraw_is_scoped_to_the_tenant(app):
    from idp.oidc import consent
    from idp.store.models import Consent

    account_id, client_id, _, _ = _consent_with_tokens(app)
    with in_tenant(app, "ameli"):
        assert consent.withdraw(account_id, client_id) is False
    assert len(reread(app, Consent, account_id=account_id)) == 2
