"""Audit events in the database (issue 17): next to the ``idp.audit`` JSON line, each event
is stored, in the transaction of the change it reports when there is one (gone with it if
that fails), else in its own (a refused login stands though the request wrote nothing).
``idp purge`` keeps them ``[audit] retention_days``."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from helpers import ACCOUNTS, authorize, location, make_account, make_client, submit_login


def _events(app, **filters):
    from idp.store.db import db, scoped
    from idp.store.models import AuditEvent

    with app.app_context():
        query = scoped(AuditEvent, "caf", **filters).order_by(AuditEvent.id)
        return [(e.event, e.outcome, e.account_id, e.fields) for e in db.session.execute(query).scalars()]


def test_a_failed_login_is_stored_though_the_request_writes_nothing(app, http, caplog):
    make_account(app, "caf")
    client_id, _ = make_client(app, "caf", first_party=True)
    nir, _ = ACCOUNTS["caf"]
    with caplog.at_level(logging.INFO, logger="idp.audit"):
        response = submit_login(http, location(authorize(http, "caf", client_id)), nir, "wrong-password-1")
    assert response.status_code == 400   # the form again, refused
    assert any(json.loads(r.getMessage())["event"] == "login.failure" for r in caplog.records if r.name == "idp.audit")
    stored = [e for e in _events(app) if e[0] == "login.failure"]
    assert stored and stored[0][1] == "failure"
    assert nir not in json.dumps(stored)   # the masked identifier only


def test_an_event_joins_the_change_it_reports(app):
    from flask import g

    from idp.security.audit import audit
    from idp.store.db import db, scoped_get
    from idp.store.models import Account

    account_id = make_account(app, "caf")
    with app.test_request_context("/caf/"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        scoped_get(Account, account_id).status = "suspended"
        db.session.flush()
        audit("account.suspended", account=account_id, previous_status="active")
        db.session.rollback()   # the request failed: neither the change nor its event
    assert [e for e in _events(app) if e[0] == "account.suspended"] == []
    with app.test_request_context("/caf/"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        scoped_get(Account, account_id).status = "suspended"
        db.session.flush()
        audit("account.suspended", account=account_id, previous_status="active")
        db.session.commit()
    assert [e[:3] for e in _events(app) if e[0] == "account.suspended"] == [("account.suspended", "success", account_id)]


def test_an_event_without_pending_changes_stands_whatever_follows(app):
    from flask import g

    from idp.security.audit import audit
    from idp.store.db import db

    with app.test_request_context("/caf/"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        audit("login.throttled", "failure", identifier="1 84 ** ** *** *** **")
        db.session.rollback()
    assert [e[:2] for e in _events(app)] == [("login.throttled", "failure")]


def test_purge_keeps_events_for_the_retention(app, runner):
    from idp.store.db import db, utcnow
    from idp.store.models import AuditEvent

    days = app.config["IDP_SETTINGS"].audit.retention_days
    assert days == 365
    with app.app_context():
        now = utcnow()
        db.session.add_all([AuditEvent(tenant="caf", event="login.success", outcome="success", fields={},
                                       time=now - timedelta(days=days, hours=1)),
                            AuditEvent(tenant="caf", event="login.success", outcome="success", fields={},
                                       time=now - timedelta(days=days - 1))])
        db.session.commit()
    result = runner.invoke(args=["purge", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["audit_events"] == 1
    assert len(_events(app)) == 1


def test_a_request_holds_one_pooled_connection_at_a_time(app):
    """A refusal's event while the request's session holds its connection is written once the
    request gave it back: a second checkout per request let 15 simultaneous wrong codes hold
    the pool's 15 connections, each waiting for one more (a pool deadlock until its timeout)."""
    from flask import g
    from sqlalchemy import event

    from idp.security.audit import audit
    from idp.store.db import db, scoped_first
    from idp.store.models import Account

    account_id = make_account(app, "caf")
    in_use, most = [0], [0]

    def checkout(*_):
        in_use[0] += 1
        most[0] = max(most[0], in_use[0])

    def checkin(*_):
        in_use[0] -= 1

    with app.app_context():
        pool = db.engine.pool
    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    try:
        with app.test_request_context("/caf/login"):
            g.tenant = app.extensions["idp_tenants"]["caf"]
            assert scoped_first(Account, id=account_id) is not None   # the request's connection, in a transaction
            audit("login.failure", "failure", identifier="1 84 ** ** *** *** 78")
            assert most[0] == 1
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(pool, "checkin", checkin)
    assert most[0] == 1
    assert [e[:2] for e in _events(app) if e[0] == "login.failure"] == [("login.failure", "failure")]


def _refused_while_reading(app, account_id):
    """In a request: the session reads (holds its connection), then a refusal is audited."""
    from flask import g

    from idp.security.audit import DEFERRED, audit
    from idp.store.db import scoped_first
    from idp.store.models import Account

    g.tenant = app.extensions["idp_tenants"]["caf"]
    account = scoped_first(Account, id=account_id)
    assert account is not None
    audit("login.failure", "failure", identifier="1 84 ** ** *** *** 78")
    assert len(g.get(DEFERRED)) == 1   # waiting for the connection to come back
    return account


def test_a_deferred_event_goes_with_the_requests_commit(app):
    """Issue 15: a request that commits anyway (a login: its session and code) takes the
    events it deferred into that commit, one transaction instead of a second one at teardown."""
    from flask import g
    from sqlalchemy import event

    from idp.security.audit import DEFERRED
    from idp.store.db import db, scoped_get
    from idp.store.models import Account

    account_id = make_account(app, "caf")
    transactions = []

    def count(connection):
        transactions.append(connection)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", count)
    try:
        with app.test_request_context("/caf/login"):
            _refused_while_reading(app, account_id)
            scoped_get(Account, account_id).email = "autre@example.fr"
            db.session.commit()
            assert not g.get(DEFERRED)
    finally:
        event.remove(engine, "commit", count)
    assert len(transactions) == 1
    assert [e[:2] for e in _events(app) if e[0] == "login.failure"] == [("login.failure", "failure")]


def test_a_deferred_event_stands_when_the_requests_commit_fails(app):
    import pytest
    from flask import g
    from sqlalchemy.exc import IntegrityError

    from idp.security.audit import DEFERRED
    from idp.store.db import db
    from idp.store.models import Account

    account_id = make_account(app, "caf")
    with app.test_request_context("/caf/login"):
        account = _refused_while_reading(app, account_id)
        # a second account under the same identifier: the unique constraint refuses the commit
        db.session.add(Account(tenant="caf", identifier_index=account.identifier_index, identifier_sealed=b"x"))
        with pytest.raises(IntegrityError):
            db.session.commit()   # the request's commit fails: its events must not go with it
        db.session.rollback()
        assert len(g.get(DEFERRED)) == 1
    assert [e[:2] for e in _events(app) if e[0] == "login.failure"] == [("login.failure", "failure")]


def test_an_event_goes_with_its_change_when_the_session_is_closed_unsaved(app):
    """The events of a session's changes wait for its commit (inserted by it, in one statement
    with the request's other events): a session closed without committing drops them with
    the changes, and its next transaction does not carry them."""
    from flask import g

    from idp.security.audit import audit
    from idp.store.db import db, scoped_get
    from idp.store.models import Account

    account_id = make_account(app, "caf")
    with app.test_request_context("/caf/"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        scoped_get(Account, account_id).status = "suspended"
        db.session.flush()
        audit("account.suspended", account=account_id, previous_status="active")
        db.session.close()
        scoped_get(Account, account_id).email = "autre@example.fr"
        db.session.flush()
        audit("contact.changed", account=account_id, channel="email")
        db.session.commit()
    assert [e[0] for e in _events(app) if e[0] in ("account.suspended", "contact.changed")] == ["contact.changed"]
