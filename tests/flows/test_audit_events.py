"""The audit events of whole journeys: a login, a failed login, a lock, a consent given and
withdrawn, tokens, a password reset, a logout. Each event is of the vocabulary
(:mod:`idp.security.audit`), with its fields; no line carries a password, a code, a token or
the full NIR (as the access-log redaction tests check for paths)."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import urlencode

import pytest

from helpers import ACCOUNTS, POST_LOGOUT, csrf, exchange, location, login_flow, make_account, make_client, \
    page_text, query, submit_login
from messages_support import messages

from idp.security.audit import COMMON_FIELDS, vocabulary

NIR = "1840312345678"
NEW_PASSWORD = "Nouveau2026Caf"


@pytest.fixture
def audited(caplog):
    caplog.set_level(logging.INFO, logger="idp.audit")

    def events() -> list[dict]:
        return [json.loads(r.getMessage()) for r in caplog.records if r.name == "idp.audit"]
    events.lines = lambda: [r.getMessage() for r in caplog.records if r.name == "idp.audit"]
    return events


def _of_the_vocabulary(events: list[dict]) -> None:
    known = vocabulary()
    for event in events:
        assert event["event"] in known, event
        assert set(event) - COMMON_FIELDS <= known[event["event"]], event


def _login_page(http, client_id):
    from helpers import authorize

    return location(authorize(http, "caf", client_id))


def test_a_login_journey_speaks_the_vocabulary_and_keeps_secrets(http, app, audited):
    client_id, secret = make_client(app, first_party=False)
    make_account(app)
    identifier, password = ACCOUNTS["caf"]
    wrong = submit_login(http, _login_page(http, client_id), identifier, "Pas-le-bon-2024")
    assert "Identifiant ou mot de passe incorrect." in page_text(wrong)
    code = query(login_flow(http, "caf", client_id, scope="openid email offline_access"))["code"]
    tokens = exchange(http, "caf", client_id, secret, code).get_json()
    assert exchange(http, "caf", client_id, secret, code).status_code == 400      # replayed
    page = page_text(http.get("/caf/account"))
    http.post(f"/caf/account/consents/{client_id}/revoke", data={"csrf_token": csrf(page)})
    http.get("/caf/logout?" + urlencode({"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": POST_LOGOUT}))
    events = audited()
    names = [e["event"] for e in events]
    for expected in ("login.failure", "login.success", "consent.given", "code.issued", "code.replayed",
                     "tokens.revoked", "consent.withdrawn", "session.ended"):
        assert expected in names, names
    _of_the_vocabulary(events)
    assert all(e["tenant"] == "caf" for e in events)
    failure = next(e for e in events if e["event"] == "login.failure")
    assert failure["outcome"] == "failure" and failure["identifier"] == "1 84 03 ** *** ***"
    text = "\n".join(audited.lines())
    for secret_value in (password, "Pas-le-bon-2024", NIR, code, secret, tokens["access_token"],
                         tokens["refresh_token"], tokens["id_token"]):
        assert secret_value not in text


def test_a_lock_is_an_event(http, app, audited):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_url = _login_page(http, client_id)
    for _ in range(6):
        submit_login(http, login_url, ACCOUNTS["caf"][0], "Pas-le-bon-2024")
    events = audited()
    _of_the_vocabulary(events)
    locked = [e for e in events if e["event"] == "login.locked"]
    assert [(e["scope"], e["outcome"]) for e in locked] == [("identifier", "failure")]
    assert [e["event"] for e in events][-1] == "login.throttled"


def test_a_password_reset_speaks_the_vocabulary_and_keeps_the_code(http, app, audited):
    from idp.accounts.service import find_account
    from idp.store.db import db
    from idp.web.background import jobs

    make_account(app)
    with app.app_context():
        account = find_account("caf", NIR)
        account.phone_number, account.profile = "+33612345678", {"phone_number_verified": True}
        db.session.commit()
    page = page_text(http.get("/caf/password/forgot"))
    http.post("/caf/password/forgot", data={"csrf_token": csrf(page), "identifier": NIR, "channel": "sms"})
    jobs(http.application).wait(timeout=30)
    sms = re.search(r"\b(\d{6})\b", messages(app, "sms", "+33612345678")[0]["text"]).group(1)
    form = {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}
    page = page_text(http.get("/caf/password/reset"))
    http.post("/caf/password/reset", data={"csrf_token": csrf(page), "code": "000000" if sms != "000000" else "111111",
                                           **form})
    page = page_text(http.get("/caf/password/reset"))
    done = http.post("/caf/password/reset", data={"csrf_token": csrf(page), "code": sms, **form})
    assert "Votre mot de passe a été modifié" in page_text(done)
    events = audited()
    names = [e["event"] for e in events]
    for expected in ("verification.sent", "password_reset.code", "verification.failure", "password.reset"):
        assert expected in names, names
    _of_the_vocabulary(events)
    sent = next(e for e in events if e["event"] == "password_reset.code")
    assert sent["tenant"] == "caf"          # sent after the answer, still the tenant's
    text = "\n".join(audited.lines())
    for secret_value in (sms, NEW_PASSWORD, NIR, "+33612345678"):
        assert secret_value not in text
