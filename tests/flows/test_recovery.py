"""Recovery: a code by SMS or email among verified channels, then a new password; the
identifier sent to the verified email; no answer reveals whether an account exists."""

from __future__ import annotations

import re

from helpers import ACCOUNTS, csrf, location, make_account, page_text
from messages_support import last_message, messages


def verified_account(app, tenant="caf", phone="+33612345678"):
    from idp.accounts.service import find_account
    from idp.db import db

    make_account(app, tenant)
    with app.app_context():
        account = find_account(tenant, ACCOUNTS[tenant][0])
        account.phone_number = phone
        account.profile = {"phone_number_verified": True}
        db.session.commit()


def ask(http, identifier, channel):
    page = page_text(http.get("/caf/password/forgot"))
    return http.post("/caf/password/forgot", data={"csrf_token": csrf(page), "identifier": identifier, "channel": channel})


def test_reset_by_sms(http, app):
    verified_account(app)
    assert location(ask(http, "1 84 03 12 345 678", "sms")).endswith("/caf/password/reset")
    code = re.search(r"\b(\d{6})\b", last_message(app, "sms", "+33612345678")["text"]).group(1)
    page = page_text(http.get("/caf/password/reset"))
    weak = http.post("/caf/password/reset", data={"csrf_token": csrf(page), "code": code, "password": "court", "password_repeat": "court"})
    assert weak.status_code == 400 and 'id="password-error"' in page_text(weak)
    # a refused password does not burn the code
    done = http.post("/caf/password/reset", data={"csrf_token": csrf(page), "code": code,
                                                  "password": "Nouveau2026Caf", "password_repeat": "Nouveau2026Caf"})
    assert "Votre mot de passe a été modifié" in page_text(done), page_text(done)[:2000]


def test_reset_by_email_and_wrong_code(http, app):
    verified_account(app)
    ask(http, "1840312345678", "email")
    assert last_message(app, "email", "camille@example.fr")["template"] == "password_reset_code"
    page = page_text(http.get("/caf/password/reset"))
    wrong = http.post("/caf/password/reset", data={"csrf_token": csrf(page), "code": "000000",
                                                   "password": "Nouveau2026Caf", "password_repeat": "Nouveau2026Caf"})
    assert wrong.status_code == 400 and "Le code saisi est incorrect." in page_text(wrong)


def test_unknown_identifier_gets_the_same_answer(http, app):
    response = ask(http, "2840312345678", "sms")
    assert location(response).endswith("/caf/password/reset")
    assert messages(app) == []


def test_unverified_channel_is_not_used(http, app):
    make_account(app)  # email verified, phone none
    ask(http, "1840312345678", "sms")
    assert messages(app, "sms") == []


def test_identifier_reminder(http, app):
    make_account(app, "caf")
    page = page_text(http.get("/caf/identifier/forgot"))
    response = http.post("/caf/identifier/forgot", data={"csrf_token": csrf(page), "email": "CAMILLE@example.fr"})
    assert "Si un compte correspond à cette adresse" in page_text(response)
    assert "1840312345678" in last_message(app, "email", "camille@example.fr")["text"]
