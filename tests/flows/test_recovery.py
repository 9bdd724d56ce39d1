"""Recovery: a code by SMS or email among verified channels, then a new password; the
identifier sent to the verified email; no answer reveals whether an account exists; the
send limits and the attempt budget hold across new requests and concurrent guesses."""

from __future__ import annotations

import html

import re
from datetime import timedelta

from helpers import ACCOUNTS, code_tokens, csrf, location, make_account, page_text, token_request
from messages_support import last_message, messages

REFUSED = "Le code saisi est incorrect ou n'est plus valable. Vérifiez-le ou demandez-en un nouveau."
GOOD = {"password": "Nouveau2026Caf", "password_repeat": "Nouveau2026Caf"}
TOO_MANY = "Trop d'essais. Demandez un nouveau code."


def verified_account(app, tenant="caf", phone="+33612345678"):
    from idp.accounts.service import find_account
    from idp.store.db import db

    make_account(app, tenant)
    with app.app_context():
        account = find_account(tenant, ACCOUNTS[tenant][0])
        account.phone_number = phone
        account.profile = {"phone_number_verified": True}
        db.session.commit()


def ask(http, identifier, channel):
    """Ask for a code, and let the send that follows the answer happen (idp.web.background)."""
    from idp.web.background import jobs

    page = page_text(http.get("/caf/password/forgot"))
    answer = http.post("/caf/password/forgot", data={"csrf_token": csrf(page), "identifier": identifier,
                                                      "channel": channel})
    jobs(http.application).wait(timeout=30)
    return answer


def sms_code(app, index=0):
    sent = messages(app, "sms", "+33612345678")
    return re.search(r"\b(\d{6})\b", sent[index]["text"]).group(1)


def reset(http, code, **form):
    page = page_text(http.get("/caf/password/reset"))
    return http.post("/caf/password/reset", data={"csrf_token": csrf(page), "code": code, **(form or GOOD)})


def later(monkeypatch, seconds):
    """Move the clock of idp.verification.codes forward (the resend delay, a window)."""
    import idp.verification.codes as verification
    from idp.store.db import utcnow as real

    monkeypatch.setattr(verification, "utcnow", lambda: real() + timedelta(seconds=seconds))


def test_reset_by_sms(http, app):
    verified_account(app)
    assert location(ask(http, "1 84 03 12 345 678", "sms")).endswith("/caf/password/reset")
    code = sms_code(app)
    weak = reset(http, code, password="court", password_repeat="court")
    assert weak.status_code == 400 and 'id="password-error"' in page_text(weak)
    # a refused password does not burn the code
    done = reset(http, code)
    assert "Votre mot de passe a été modifié" in page_text(done), page_text(done)[:2000]
    assert "toutes vos sessions ont été fermées" in page_text(done)


def test_reset_by_email_and_wrong_code(http, app):
    verified_account(app)
    ask(http, "1840312345678", "email")
    assert last_message(app, "email", "camille@example.fr")["template"] == "password_reset_code"
    wrong = reset(http, "000000")
    assert wrong.status_code == 400 and REFUSED in page_text(wrong)


def test_unknown_identifier_gets_the_same_answer(http, app):
    response = ask(http, "2840312345678", "sms")
    assert location(response).endswith("/caf/password/reset")
    assert messages(app) == []


def test_reset_page_answers_the_same_for_an_existing_and_an_unknown_account(app):
    """A weak password and a wrong code: the code is refused first for both, no policy errors."""
    verified_account(app)
    answers = []
    for identifier in ("1840312345678", "2840312345678"):
        browser = app.test_client()
        ask(browser, identifier, "sms")
        answer = reset(browser, "999999" if sms_code(app) != "999999" else "888888",
                       password="Camille", password_repeat="Camille")
        answers.append((answer.status_code, re.sub(r'(name="csrf_token" value|nonce)="[^"]+"', "", page_text(answer))))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400 and REFUSED in answers[0][1] and 'id="password-error"' not in answers[0][1]


def test_unverified_channel_is_not_used(http, app):
    make_account(app)  # email verified, phone none
    ask(http, "1840312345678", "sms")
    assert messages(app, "sms") == []


def test_asking_again_keeps_the_attempt_budget(http, app, monkeypatch):
    """4 wrong codes, a new code asked after the resend delay: one try is left, not five."""
    verified_account(app)
    ask(http, "1840312345678", "sms")
    for _ in range(4):
        assert REFUSED in page_text(reset(http, "000000" if sms_code(app) != "000000" else "111111"))
    later(monkeypatch, 61)
    ask(http, "1840312345678", "sms")
    assert len(messages(app, "sms")) == 2     # re-sent: a new code...
    fresh = sms_code(app)
    reset(http, "000000" if fresh != "000000" else "111111")   # ...sharing the budget: this was the 5th try
    refused = reset(http, fresh)
    assert refused.status_code == 400 and TOO_MANY in html.unescape(page_text(refused))
    later(monkeypatch, 122)
    ask(http, "1840312345678", "sms")
    assert len(messages(app, "sms")) == 2     # the tries are spent: no new code in this window


def test_sends_wait_for_the_delay_and_are_bounded_per_account(http, app, monkeypatch):
    verified_account(app)
    ask(http, "1840312345678", "sms")
    ask(http, "1840312345678", "email")            # at once: nothing more is sent...
    assert len(messages(app)) == 1
    assert location(ask(http, "1840312345678", "email")).endswith("/caf/password/reset")  # ...and nothing said
    for minute in range(1, 6):
        later(monkeypatch, 61 * minute)
        ask(http, "1840312345678", "sms")
    assert len(messages(app)) == 5                 # max_sends in the window
    later(monkeypatch, 3601)                       # a new window: a new code
    ask(http, "1840312345678", "sms")
    assert len(messages(app)) == 6


def test_forgot_is_limited_per_address(http, app):
    """Counted for every request, account or not: the refusal reveals nothing."""
    limit = app.config["IDP_SETTINGS"].verification.max_sends_per_address
    for _ in range(limit):
        assert ask(http, "2840312345678", "sms").status_code == 302
    refused = ask(http, "1840312345678", "sms")
    assert refused.status_code == 429
    assert "Trop de demandes depuis votre connexion. Réessayez plus tard." in page_text(refused)
    page = page_text(http.get("/caf/identifier/forgot"))
    reminder = http.post("/caf/identifier/forgot", data={"csrf_token": csrf(page), "email": "camille@example.fr"})
    assert reminder.status_code == 429


def test_reset_ends_every_session_and_revokes_refresh_tokens(http, app):
    client_id, secret, tokens = code_tokens(http, app, scope="openid offline_access")
    from idp.accounts.service import find_account
    from idp.store.db import db

    with app.app_context():
        account = find_account("caf", "1840312345678")
        account.phone_number, account.profile = "+33612345678", {"phone_number_verified": True}
        db.session.commit()
    browser = app.test_client()
    ask(browser, "1840312345678", "sms")
    assert "Votre mot de passe a été modifié" in page_text(reset(browser, sms_code(app)))
    refreshed = token_request(http, "caf", client_id, secret,
                              {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 400 and refreshed.get_json()["error"] == "invalid_grant"
    assert location(http.get("/caf/account")).endswith("/caf/login")   # the SSO session is over
    told = last_message(app, "email", "camille@example.fr")
    assert told["template"] == "password_changed" and "Mot de passe oublié" in told["text"]


def test_forgot_keeps_the_identifier_sealed_in_the_cookie(http, app):
    verified_account(app)
    response = ask(http, "1840312345678", "sms")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    value = cookie.split(";")[0].split("=", 1)[1]
    content = app.session_interface.get_signing_serializer(app).loads(value)
    assert "1840312345678" not in str(content) and content["reset:caf"]
    assert "Votre mot de passe a été modifié" in page_text(reset(http, sms_code(app)))   # and it still works


def test_identifier_reminder_masks_the_nir(http, app):
    make_account(app, "caf")
    page = page_text(http.get("/caf/identifier/forgot"))
    response = http.post("/caf/identifier/forgot", data={"csrf_token": csrf(page), "email": "CAMILLE@example.fr"})
    assert "Si un compte correspond à cette adresse" in page_text(response)
    sent = last_message(app, "email", "camille@example.fr")
    assert "1840312345678" not in sent["text"] and "1840312345678" not in sent["html"]
    assert "1 84 03 ** *** ***" in sent["text"]
    assert "carte Vitale ou sur votre attestation de droits" in sent["text"]


def test_identifier_reminder_of_a_username_is_whole(http, app):
    make_account(app, "mairie", email="jean.dupont@example.fr")
    page = page_text(http.get("/mairie/identifier/forgot"))
    http.post("/mairie/identifier/forgot", data={"csrf_token": csrf(page), "email": "jean.dupont@example.fr"})
    assert "Le voici : jean.dupont" in last_message(app, "email", "jean.dupont@example.fr")["text"]


def test_identifier_reminder_waits_for_the_delay(http, app):
    make_account(app, "caf")
    for _ in range(3):
        page = page_text(http.get("/caf/identifier/forgot"))
        answer = http.post("/caf/identifier/forgot", data={"csrf_token": csrf(page), "email": "camille@example.fr"})
        assert "Si un compte correspond à cette adresse" in page_text(answer)
    assert len(messages(app, "email", "camille@example.fr")) == 1


def test_concurrent_wrong_codes_cannot_overrun_the_limit(app):
    """20 wrong codes at once on a served instance: 5 tries are taken, no more, and the
    right code is refused afterwards (the counter is one conditional UPDATE)."""
    import html
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from live import serving

    from idp.store.db import db
    from idp.store.models import Verification

    verified_account(app)
    threads = 20
    with serving(app) as base:
        browser = requests.Session()
        page = browser.get(f"{base}/caf/password/forgot").text
        browser.post(f"{base}/caf/password/forgot",
                     data={"csrf_token": csrf(page), "identifier": "1840312345678", "channel": "sms"})
        code = sms_code(app)
        token = csrf(browser.get(f"{base}/caf/password/reset").text)
        wrong = "000000" if code != "000000" else "111111"
        start = threading.Barrier(threads)

        def guess(_):
            guesser = requests.Session()
            guesser.cookies.update(browser.cookies)
            start.wait()
            return guesser.post(f"{base}/caf/password/reset", data={"csrf_token": token, "code": wrong, **GOOD},
                                timeout=30).status_code

        with ThreadPoolExecutor(threads) as pool:
            assert list(pool.map(guess, range(threads))) == [400] * threads
        late = browser.post(f"{base}/caf/password/reset", data={"csrf_token": token, "code": code, **GOOD})
        assert late.status_code == 400 and TOO_MANY in html.unescape(late.text)
    with app.app_context():
        assert db.session.execute(db.select(Verification.attempts)).scalar_one() == 5


def test_simultaneous_reminders_send_once(app, monkeypatch):
    """Two identifier reminders at the same instant (two background jobs, two workers): the
    resend delay is taken by one atomic increment, so one goes out. The counters' read is
    slowed down here to open the window a read-then-write check would leave."""
    import threading
    import time

    from flask import g

    from idp.verification import codes as verification

    counters = app.extensions["idp_counters"]
    read = counters.locked_for

    def slow_read(key):
        seen = read(key)
        time.sleep(0.05)   # what was read may be stale by the time the caller acts on it
        return seen

    monkeypatch.setattr(counters, "locked_for", slow_read)
    start, outcomes = threading.Barrier(8), []

    def remind():
        with app.test_request_context("/caf/identifier/forgot"):
            g.tenant = app.extensions["idp_tenants"]["caf"]
            start.wait()
            outcomes.append(verification.message_allowed("identifier_reminder", "account-1").code)

    threads = [threading.Thread(target=remind) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["verification.sent"] + ["verification.too_soon"] * 7
