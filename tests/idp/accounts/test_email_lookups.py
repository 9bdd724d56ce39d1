"""Accounts found by email, case-insensitively, use an index (issue 12: 75 ms per lookup at
100,000 accounts): every query of ``lower(email)`` the pages run is planned on
``ix_accounts_tenant_lower_email``, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from helpers import csrf, make_account

INDEX = "ix_accounts_tenant_lower_email"
EMAIL = "Jean.Dupont@example.fr"


@pytest.fixture
def email_queries(app):
    """The statements (and their parameters) that compare ``lower(accounts.email)``."""
    from idp.store.db import db

    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "lower(accounts.email)" in statement and not statement.startswith("EXPLAIN"):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    yield seen
    event.remove(engine, "before_cursor_execute", capture)


def plan(app, backend, statement, parameters) -> str:
    from idp.store.db import db

    with app.app_context(), db.engine.connect() as conn:
        if backend == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return " ".join(str(row[-1]) for row in rows)
        # a handful of rows costs less to scan than to look up: ask whether the index is usable
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        return " ".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters).all())


def verified_mairie_account(app):
    from idp.store.db import db
    from idp.store.models import Account

    account_id = make_account(app, "mairie", email=EMAIL)
    with app.app_context():
        db.session.get(Account, account_id).email_verified = True
        db.session.commit()


def test_every_lookup_by_email_uses_the_index(http, app, backend, email_queries):
    from flask import g

    from idp.accounts.service import email_in_use

    verified_mairie_account(app)
    page = http.get("/mairie/login").get_data(as_text=True)
    login = http.post("/mairie/login", data={"csrf_token": csrf(page), "identifier": "jean.dupont@EXAMPLE.fr",
                                             "password": "Mairie2024Demo"})
    assert login.status_code == 302  # logged in by email: the lookup found the account
    page = http.get("/mairie/identifier/forgot").get_data(as_text=True)
    assert http.post("/mairie/identifier/forgot", data={"csrf_token": csrf(page), "email": EMAIL}).status_code == 200
    with app.test_request_context("/mairie/"):
        g.tenant = app.extensions["idp_tenants"]["mairie"]
        assert email_in_use("JEAN.DUPONT@example.fr")
    from idp.web.background import jobs

    jobs(app).wait(timeout=10)   # the identifier reminder looks the email up after the answer
    lookups = list(email_queries)
    assert len(lookups) >= 3
    for statement, parameters in lookups:
        assert INDEX in plan(app, backend, statement, parameters), statement
