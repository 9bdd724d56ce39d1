"""Errors a screen reader hears and an eye finds (issue 13): on login, forgot, reset,
/account and the SMS code page, as on the signup steps, the title says "Erreur – ", a
summary takes the focus and links to the field, each message is tied to its field; wrong
codes say how many tries are left; a hint is read once."""

from __future__ import annotations

import re

from helpers import ACCOUNTS, csrf, make_account, page_text
from messages_support import last_message
from page_support import assert_error_pattern, by_id

from test_recovery import ask, reset, verified_account
from test_selfservice import direct_login
from test_signup_mairie import post_step, signup_until_activation

WRONG_LOGIN = "Identifiant ou mot de passe incorrect."


def test_login_error_pattern(http, app):
    make_account(app)
    page = page_text(http.get("/caf/login"))
    answer = http.post("/caf/login", data={"csrf_token": csrf(page), "identifier": ACCOUNTS["caf"][0],
                                           "password": "wrong password"})
    assert answer.status_code == 400
    assert_error_pattern(page_text(answer), "credentials", WRONG_LOGIN, target="identifier")


def test_login_required_identifier_pattern(http, app):
    page = page_text(http.get("/mairie/login"))
    answer = http.post("/mairie/login", data={"csrf_token": csrf(page), "identifier": "", "password": "x"})
    assert_error_pattern(page_text(answer), "identifier", "Ce champ est obligatoire.")


def test_forgot_error_pattern(http, app):
    page = page_text(http.get("/caf/password/forgot"))
    answer = http.post("/caf/password/forgot", data={"csrf_token": csrf(page), "identifier": ACCOUNTS["caf"][0]})
    assert answer.status_code == 400
    assert_error_pattern(page_text(answer), "channel", "Choisissez comment recevoir votre code.", target="channel-sms")


def test_forgot_identifier_error_pattern(http, app):
    page = page_text(http.get("/caf/identifier/forgot"))
    answer = http.post("/caf/identifier/forgot", data={"csrf_token": csrf(page), "email": "nobody"})
    assert_error_pattern(page_text(answer), "email", "Saisissez l'adresse électronique de votre compte.")


def test_reset_error_pattern_with_the_tries_left_for_any_identifier(http, app):
    """The same words, tries included, whether or not the account exists."""
    verified_account(app)
    for identifier in ("1840312345678", "2840312345678"):
        browser = app.test_client()
        ask(browser, identifier, "sms")
        first, second = reset(browser, "000000x"), reset(browser, "000000x")
        refused = "Le code saisi est incorrect ou n'est plus valable. Vérifiez-le ou demandez-en un nouveau."
        assert_error_pattern(page_text(first), "code", f"{refused} Il vous reste 4 essais.")
        assert_error_pattern(page_text(second), "code", f"{refused} Il vous reste 3 essais.")


def test_account_error_pattern(http, app):
    make_account(app)
    direct_login(http)
    page = page_text(http.get("/caf/account"))
    answer = http.post("/caf/account/password", data={
        "csrf_token": csrf(page), "current_password": "not it", "new_password": "Nouveau2026Caf",
        "new_password_repeat": "Nouveau2026Caf"})
    assert answer.status_code == 400
    assert_error_pattern(page_text(answer), "current_password", "Le mot de passe actuel est incorrect.")


def test_sms_code_page_error_pattern_and_tries_left(http, app):
    signup_until_activation(http)
    post_step(http, "activation", {"channel": "sms"})
    code = re.search(r"\b(\d{6})\b", last_message(app, "sms", "+33612345678")["text"]).group(1)
    page = page_text(http.get("/mairie/signup/activation/code"))
    assert "06 12 34 56 78" in page and "+33612345678" not in page
    wrong = http.post("/mairie/signup/activation/code", data={
        "csrf_token": csrf(page), "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400
    assert_error_pattern(page_text(wrong), "code", "Le code saisi est incorrect. Il vous reste 4 essais.")


def test_a_hint_is_read_once_with_its_label(http, app):
    """In the label, not again through aria-describedby (which names the messages only)."""
    http.get("/mairie/signup")
    post_step(http, "profil", {"profile_type": "citoyen"})
    page = page_text(http.get("/mairie/signup/identite"))
    email = by_id(page, "email")["attrs"]
    assert email["aria-describedby"] == "email-messages"
    assert "Format : nom@domaine.fr" in by_id(page, "email-group")["text"]
    assert 'id="email-hint"' not in page
    assert by_id(page, "usage_name")["attrs"]["autocomplete"] == "family-name"
