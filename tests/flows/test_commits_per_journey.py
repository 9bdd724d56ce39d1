"""Commits per password journey (issues 14 item 5 and 15): authorize → login POST → token
writes the interaction, then the session and the code with the interaction's end, then the
token's records; at most three commits. A hidden commit in ``mark_done`` or
``start_session`` (they take part in the caller's transaction) would show here.

The database's own transactions are counted too (the engine's ``commit`` event), not only
the ORM session's: the audit events a request defers used to be written in a transaction of
their own at teardown (the login's ``login.success``), a fourth commit the session's count
did not see. And each request's statements are pinned (at most, so that making one cheaper
never fails here), the account read at most once per request."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from helpers import authorize, csrf, exchange, location, make_account, make_client, path_of, pkce_pair, query, submit_login

# statements each request of the journey may run, at most (issue 15); today's counts
MOST_STATEMENTS = {
    "authorize": 1,     # INSERT interactions
    "login page": 1,    # SELECT interactions
    "login POST": 6,    # SELECT interactions, accounts; INSERT code, session, audit (login.success and code.issued); DELETE interaction
    "token": 6,         # SELECT code; UPDATE code; SELECT session, account; INSERT access token, refresh token
}


@pytest.fixture
def commits(app):
    """Every commit of the app's database sessions while the test runs."""
    from sqlalchemy.orm import Session

    seen = []

    def count(session):
        seen.append(session)

    event.listen(Session, "after_commit", count)
    yield seen
    event.remove(Session, "after_commit", count)


@pytest.fixture
def transactions(app):
    """Every transaction the database committed (sessions' or not) while the test runs."""
    seen = []

    def count(connection):
        seen.append(connection)

    event.listen(Engine, "commit", count)
    yield seen
    event.remove(Engine, "commit", count)


@pytest.fixture
def statements(app):
    seen = []

    def count(connection, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    yield seen
    event.remove(Engine, "before_cursor_execute", count)


def test_a_password_journey_commits_at_most_three_times(http, app, commits, transactions):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    verifier, challenge = pkce_pair()
    del commits[:], transactions[:]     # the client and the account are the test's, not the journey's
    login_url = location(authorize(http, "caf", client_id, code_challenge=challenge, code_challenge_method="S256"))
    answer = submit_login(http, login_url, "1840312345678", "Allocation2024")
    assert answer.status_code == 303    # straight to the client: nothing else was due
    response = exchange(http, "caf", client_id, secret, query(location(answer))["code"], verifier)
    assert response.status_code == 200, response.get_json()
    assert len(commits) <= 3, f"{len(commits)} commits"
    assert len(transactions) <= 3, f"{len(transactions)} database transactions"


def _journey(http, client_id, secret, step=lambda name, response: response):
    verifier, challenge = pkce_pair()
    login_url = path_of(location(step("authorize", authorize(http, "caf", client_id, code_challenge=challenge,
                                                            code_challenge_method="S256"))))
    page = step("login page", http.get(login_url))
    answer = step("login POST", http.post(login_url, data={"csrf_token": csrf(page.get_data(as_text=True)),
                                                           "identifier": "1840312345678", "password": "Allocation2024"}))
    assert answer.status_code == 303
    response = step("token", exchange(http, "caf", client_id, secret, query(location(answer))["code"], verifier))
    assert response.status_code == 200, response.get_json()


def test_each_request_of_a_password_journey_runs_few_statements(app, statements):
    """A returning journey in a fresh browser, the process warm (the client is read once per
    process: idp/clients/model.py), as the bench's login scenario runs it."""
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    _journey(app.test_client(), client_id, secret)
    seen = {}

    def step(name, response):
        seen[name] = list(statements)
        del statements[:]
        return response

    del statements[:]
    _journey(app.test_client(), client_id, secret, step)
    for name, most in MOST_STATEMENTS.items():
        assert len(seen[name]) <= most, (name, seen[name])
        accounts = [s for s in seen[name] if s.lstrip().upper().startswith("SELECT") and "FROM accounts" in s]
        assert len(accounts) <= 1, (name, accounts)   # the account read once per request


def test_an_authorization_with_a_live_session_reads_no_finished_interaction(app, statements):
    """The answer that ends an interaction clears its cookie: a browser holding the handle of
    a finished interaction made each later authorization look it up (CSP form-action of the
    redirect), a SELECT per authorization of a person with a live session (issue 15)."""
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    http = app.test_client()
    login_url = location(authorize(http, "caf", client_id))
    answer = submit_login(http, login_url, "1840312345678", "Allocation2024")
    assert any(c.startswith("idp_interaction=;") for c in answer.headers.getlist("Set-Cookie"))
    assert http.get_cookie("idp_interaction", path="/caf/") is None
    del statements[:]
    assert "code" in query(location(authorize(http, "caf", client_id)))
    assert not [s for s in statements if "FROM interactions" in s], statements
    assert len(statements) <= 4   # the session, its account; INSERT the code, its audit event
