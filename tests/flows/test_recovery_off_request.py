"""The forgot pages answer in the same time whether an account exists: the request does the
same work either way and the lookup and the send happen after the answer (idp.web.background).
No timing is measured: the tests look at what runs on the request's thread."""

from __future__ import annotations

import re
import threading

import pytest
from helpers import csrf, location, page_text
from messages_support import messages
from test_recovery import verified_account

from idp.web.background import jobs

FORMS = {
    "password": ("/caf/password/forgot", {"identifier": "{who}", "channel": "sms"}, "1840312345678", "2840312345678"),
    "identifier": ("/caf/identifier/forgot", {"email": "{who}"}, "camille@example.fr", "personne@example.fr"),
}


def _forgot(http, form, who):
    path, fields, *_ = FORMS[form]
    page = page_text(http.get(path))
    return http.post(path, data={"csrf_token": csrf(page), **{k: v.replace("{who}", who) for k, v in fields.items()}})


@pytest.mark.parametrize("form", FORMS)
def test_forgot_answers_before_the_message_is_sent(http, app, monkeypatch, form):
    """The message waits until the answer is out: sent on another thread, after it."""
    verified_account(app)
    notifier = app.extensions["idp_notifier"]
    real_send, answered, seen = notifier.send, threading.Event(), {}

    def send_after_the_answer(message):
        seen["thread"], seen["after_answer"] = threading.get_ident(), answered.wait(timeout=10)
        return real_send(message)

    monkeypatch.setattr(notifier, "send", send_after_the_answer)
    response = _forgot(http, form, FORMS[form][2])
    answered.set()
    assert response.status_code in (200, 302)
    assert len(messages(app)) == 1      # waits for the job
    assert seen["after_answer"] is True and seen["thread"] != threading.get_ident()


@pytest.mark.parametrize("form", FORMS)
def test_forgot_does_the_same_work_for_an_unknown_account(app, monkeypatch, form):
    """The statements run and the messages sent on the request's thread are the same for an
    account that exists (and has the channel) and for one that does not; so are the answers."""
    from sqlalchemy import event

    from idp.store.db import db

    verified_account(app)
    request_thread, statements = threading.get_ident(), []

    def record(conn, cursor, statement, *args):
        if threading.get_ident() == request_thread:
            statements[-1].append(statement)

    notifier = app.extensions["idp_notifier"]
    real_send = notifier.send

    def recorded_send(message):
        if threading.get_ident() == request_thread:
            statements[-1].append(f"send {message.template}")
        return real_send(message)

    monkeypatch.setattr(notifier, "send", recorded_send)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    answers = []
    try:
        for who in FORMS[form][2:]:
            browser = app.test_client()
            statements.append([])
            answer = _forgot(browser, form, who)
            shown = location(answer) if answer.status_code == 302 else re.sub(r'nonce="[^"]+"', "", page_text(answer))
            answers.append((answer.status_code, shown))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements[0] == statements[1]
    assert answers[0] == answers[1]
    assert len(messages(app)) == 1      # the known account was sent its message, after the answer


def test_simultaneous_first_requests_send_one_code(app, monkeypatch):
    """Two requests that both find no code pending (forced interleaving, real threads):
    one code is issued and sent, the other is told to wait."""
    import idp.verification.codes as verification
    from flask import g

    verified_account(app)
    from idp.accounts.service import find_account

    with app.app_context():
        account_id = find_account("caf", "1840312345678").id
    both_looked, real_latest = threading.Barrier(2, timeout=10), verification._latest

    def latest_then_wait(purpose, subject):
        found = real_latest(purpose, subject)
        both_looked.wait()      # neither inserts before both have looked
        return found

    monkeypatch.setattr(verification, "_latest", latest_then_wait)
    outcomes = []

    def ask():
        with app.app_context():
            g.tenant = app.extensions["idp_tenants"]["caf"]
            outcomes.append(verification.request_code("password_reset", account_id, "sms", "+33612345678").code)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["verification.sent", "verification.too_soon"]
