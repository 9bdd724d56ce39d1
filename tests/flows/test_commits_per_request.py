"""Commits per request (issue 14 item 5, issue 15): the request's changes commit once.

A SQLAlchemy ``after_commit`` listener counts the commits each request makes, along the
journeys the bench runs: the password login from authorize to token, a refresh, and the
steps of a signup. ``COMMITS`` prints the figures (``pytest -s``) for the closing note."""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from helpers import (ACCOUNTS, authorize, code_tokens, csrf, exchange, location, make_account, make_client,
                     page_text, path_of, pkce_pair, query, token_request)

COMMITS: dict[str, int] = {}


@contextmanager
def counted(name: str):
    """Count the commits of whatever runs inside, in this thread (the request's; not those of
    the back-channel deliveries' threads, which are their own transactions)."""
    seen, here = [], threading.get_ident()

    def record(session):
        if threading.get_ident() == here:
            seen.append(session)

    event.listen(Session, "after_commit", record)
    try:
        yield seen
    finally:
        event.remove(Session, "after_commit", record)
        COMMITS[name] = len(seen)
        print(f"commits {name}: {len(seen)}")


def test_a_refresh_commits_once(http, app):
    """Rotation, the successor and the access token's record: one transaction (issue 15)."""
    client_id, secret, tokens = code_tokens(http, app, scope="openid offline_access")
    with counted("refresh") as seen:
        answer = token_request(http, "caf", client_id, secret,
                               {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert answer.status_code == 200
    assert len(seen) == 1


def test_a_refresh_reads_the_rotated_row_with_the_write_that_claims_it(http, app):
    """No re-read (issue 15): the presented token is claimed and read by one ``UPDATE …
    RETURNING``; then the account's id and status only (all a refresh needs of it), and the two
    records written. Nothing is read again."""
    from idp.store.db import db

    client_id, secret, tokens = code_tokens(http, app, scope="openid offline_access")
    statements = []

    def capture(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()[:3]).upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        answer = token_request(http, "caf", client_id, secret,
                               {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert answer.status_code == 200
    tables = [s for s in statements if "REFRESH_TOKENS" in s or "ACCOUNTS" in s or "ISSUED_ACCESS_TOKENS" in s]
    assert tables == ["UPDATE REFRESH_TOKENS SET", "SELECT ACCOUNTS.ID, ACCOUNTS.STATUS",
                      "INSERT INTO ISSUED_ACCESS_TOKENS", "INSERT INTO REFRESH_TOKENS"], statements


def test_the_password_journey_commits_per_request(http, app):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    identifier, password = ACCOUNTS["caf"]
    verifier, challenge = pkce_pair()
    with counted("authorize"):
        login_url = location(authorize(http, "caf", client_id, code_challenge=challenge, code_challenge_method="S256"))
    page = http.get(path_of(login_url))
    with counted("login"):
        answer = http.post(path_of(login_url), data={"csrf_token": csrf(page_text(page)),
                                                     "identifier": identifier, "password": password})
    code = query(location(answer))["code"]
    with counted("token") as seen:
        tokens = exchange(http, "caf", client_id, secret, code, verifier)
    assert tokens.status_code == 200
    assert len(seen) == 1


def test_the_account_pages_and_logout_commit_once(http, app, requests_mock):
    """Consent withdrawn with its tokens, the account erased, a logout with a back-channel
    client: each one commit (they used to commit in the service, and again in the view)."""
    from urllib.parse import urlencode

    from helpers import login_flow

    requests_mock.post("https://rp.example/bc", status_code=200)
    client_id, secret = make_client(app, first_party=False, backchannel_logout_uri="https://rp.example/bc")
    make_account(app)
    code = query(login_flow(http, "caf", client_id, scope="openid email offline_access"))["code"]
    tokens = exchange(http, "caf", client_id, secret, code).get_json()
    page = page_text(http.get("/caf/account"))
    with counted("consent revoke") as revoked:
        http.post(f"/caf/account/consents/{client_id}/revoke", data={"csrf_token": csrf(page)})
    with counted("logout") as logged_out:
        http.get("/caf/logout?" + urlencode({"id_token_hint": tokens["id_token"]}))
    other = app.test_client()
    identifier, password = ACCOUNTS["caf"]
    login = page_text(other.get("/caf/login"))
    other.post("/caf/login", data={"csrf_token": csrf(login), "identifier": identifier, "password": password})
    page = page_text(other.get("/caf/account"))
    with counted("account delete") as deleted:
        answer = other.post("/caf/account/delete", data={"csrf_token": csrf(page), "delete_password": password})
    assert answer.status_code == 200
    assert (len(revoked), len(logged_out), len(deleted)) == (1, 1, 1)


IDENTITY = {"civility": "madame", "birth_name": "Durand", "usage_name": "", "given_name": "Élodie",
            "birthdate": "1990-04-12", "email": "elodie.durand@example.fr", "phone": "01.01.01.01.01",
            "mobile": "06.12.34.56.78", "opt_in_email": "on"}
PASSWORD = "Citoyenne2026"


def _step(http, name, data):
    page = http.get(f"/mairie/signup/{name}")
    assert page.status_code == 200, page_text(page)[:300]
    with counted(f"signup {name} POST"):
        return http.post(f"/mairie/signup/{name}", data={"csrf_token": csrf(page_text(page)), **data})


def test_the_signup_steps_commit_once_but_where_a_code_leaves(http, app):
    from messages_support import last_message

    with counted("signup start"):
        http.get("/mairie/signup")
    _step(http, "profil", {"profile_type": "citoyen"})
    _step(http, "identite", IDENTITY)
    page = page_text(http.get("/mairie/signup/identifiant"))
    proposed = re.search(r'id="identifier" name="identifier" type="text" value="([^"]*)"', page).group(1)
    _step(http, "identifiant", {"identifier": proposed})
    _step(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD})
    _step(http, "conditions", {"cgu": "on", "rgpd": "on"})
    _step(http, "activation", {"channel": "sms"})
    code = re.search(r"\b(\d{6})\b", last_message(app, "sms", "+33612345678")["text"]).group(1)
    page = page_text(http.get("/mairie/signup/activation/code"))
    with counted("signup activation code POST"):
        done = http.post("/mairie/signup/activation/code", data={"csrf_token": csrf(page), "code": code})
    assert "Votre compte est activé" in page_text(done)
    steps = {name: n for name, n in COMMITS.items() if name.startswith("signup")}
    assert {name: n for name, n in steps.items() if n > ALLOWED.get(name, 1)} == {}, steps


# The signup requests that commit more than once, and why (each commit says so where it is):
ALLOWED = {
    # the account with its signup; the code stored (and its send counted) before its message
    # leaves (verification.codes._rearm); the signup's record of the send
    "signup activation POST": 3,
    # the try taken and the code used up, together (verification.codes.check_row); then
    # the account opened with its session
    "signup activation code POST": 2,
}


@pytest.fixture(autouse=True, scope="module")
def _report():
    yield
    print("\ncommits per request:", COMMITS)
