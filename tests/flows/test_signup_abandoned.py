"""An abandoned mairie signup: the account its activation step created (pending) is removed
by ``idp purge`` once nothing can activate it, with its activation rows, and the prénom.nom
it held is free again. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from test_signup_mairie import account_row, post_step, signup_until_activation


def _count(app, model, **where):
    from idp.store.db import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def _purge_at(app, later: timedelta) -> dict:
    from idp.store.db import utcnow
    from idp.store.purge import purge

    with app.app_context():
        return purge(now=utcnow() + later)


def _caf_account_waiting_for_a_document(app):
    from helpers import make_account
    from idp.store.db import db
    from idp.store.models import Account

    account_id = make_account(app, "caf")
    with app.app_context():
        account = db.session.get(Account, account_id)
        account.status, account.created_at = "pending_document", account.created_at - timedelta(days=90)
        db.session.commit()
    return account_id


def test_a_signup_never_activated_frees_its_identifier_after_the_link_lifetime(http, app):
    from idp.store.models import Account, Verification

    identifier = signup_until_activation(http)
    assert location_of(post_step(http, "activation", {"channel": "email"})).endswith("/signup/activation/email")
    waiting = _caf_account_waiting_for_a_document(app)
    link_ttl = timedelta(seconds=app.config["IDP_SETTINGS"].verification.link_ttl)
    assert _purge_at(app, timedelta(hours=2))["pending_accounts"] == 0   # signup over, its link still valid
    assert account_row(app, identifier).status == "pending_activation"
    pending_id = account_row(app, identifier).id
    assert _purge_at(app, link_ttl + timedelta(minutes=1))["pending_accounts"] == 1
    assert account_row(app, identifier) is None and _count(app, Verification, subject=pending_id) == 0
    assert _count(app, Account, id=waiting) == 1   # waits for an operator, not for its holder
    assert signup_until_activation(app.test_client()) == identifier   # proposed again: it is free


def location_of(response):
    assert response.status_code in (302, 303), response.status_code
    return response.headers["Location"]
