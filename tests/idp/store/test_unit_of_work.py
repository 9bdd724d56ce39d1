"""The request's one commit (:func:`idp.store.db.commit_request`) and what waits for it
(:func:`idp.store.db.after_commit`): run after the commit, in order, once each; never when
the request rolls back; no commit at all for a request that wrote nothing."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from helpers import make_account


@contextmanager
def commits_counted():
    seen = []

    def record(session):
        seen.append(session)

    event.listen(Session, "after_commit", record)
    try:
        yield seen
    finally:
        event.remove(Session, "after_commit", record)


def test_jobs_run_after_the_commit_in_order_and_once(app):
    from idp.store.db import after_commit, commit_request, db
    from idp.store.models import Account

    account_id = make_account(app)
    ran = []
    with app.app_context(), commits_counted() as seen:
        db.session.get(Account, account_id).given_name = "Dominique"
        after_commit(lambda: ran.append(("first", len(seen))))
        after_commit(ran.append, "second")
        after_commit(ran.append, "second")          # asked twice (two sessions ended): once
        assert ran == []
        commit_request()
    assert ran == [("first", 1), "second"] and len(seen) == 1
    with app.app_context():
        assert db.session.get(Account, account_id).given_name == "Dominique"


def test_jobs_of_a_request_that_rolls_back_never_run(app):
    from idp.store.db import after_commit, commit_request, db
    from idp.store.models import Account

    account_id = make_account(app)
    ran = []
    with app.app_context():
        db.session.get(Account, account_id).given_name = "Dominique"
        after_commit(ran.append, "told")
        db.session.rollback()                         # the request failed: its app context ends
    with app.app_context():
        commit_request()                              # the next request's commit owes nothing of it
        assert db.session.get(Account, account_id).given_name == "Camille"
    assert ran == []


def test_a_request_that_wrote_nothing_does_not_commit(app):
    from idp.store.db import commit_request, db
    from idp.store.models import Account

    account_id = make_account(app)
    with app.app_context(), commits_counted() as seen:
        db.session.get(Account, account_id)           # read only
        commit_request()
    assert seen == []


def test_a_statement_that_writes_counts_as_a_write(app):
    from sqlalchemy import update

    from idp.store.db import commit_request, db
    from idp.store.models import Account

    account_id = make_account(app)
    with app.app_context(), commits_counted() as seen:
        db.session.execute(update(Account).where(Account.id == account_id).values(given_name="Dominique"))
        commit_request()
    assert len(seen) == 1
    with app.app_context():
        assert db.session.get(Account, account_id).given_name == "Dominique"
