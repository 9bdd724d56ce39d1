"""The journeys a citizen trips over (issue 13), each through the test client: the mairie
identifier hint, the caf contact form's default action, civilité against the NIR, the
"compte créé" page, forgot with verified channels and back to the service, French formats,
one date pattern, consistent words."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import timezone
from zoneinfo import ZoneInfo

from helpers import (ACCOUNTS, authorize, csrf, location, make_account, make_client, page_text, path_of, query,
                     submit_consent, submit_login)
from messages_support import last_message, messages
from page_support import by_id, default_button, parse

from test_recovery import GOOD, ask, reset, sms_code, verified_account
from test_selfservice import direct_login
from test_signup_caf import ETAT_CIVIL, post as caf_post, signup as caf_signup
from test_signup_mairie import post_step


def test_mairie_identifier_hint_is_words_not_a_dict(http, app):
    http.get("/mairie/signup")
    post_step(http, "profil", {"profile_type": "citoyen"})
    post_step(http, "identite", {"civility": "madame", "birth_name": "Durand", "given_name": "Élodie",
                                 "birthdate": "1990-04-12", "email": "elodie.durand@example.fr"})
    page = html.unescape(page_text(http.get("/mairie/signup/identifiant")))
    assert "{'fr'" not in page and "'en':" not in page
    assert "Par défaut prénom.nom ; lettres sans accent, chiffres, points et tirets" in page
    status = by_id(page, "identifier")["attrs"]["aria-describedby"].split()
    assert "identifier-status" in status      # the live availability is read with its field


def _implicit_submission(http, path, page, form_id, fields):
    """What Enter in a field does: the form sent with its default button's name and value."""
    button = default_button(page, form_id)["attrs"]
    data = {"csrf_token": csrf(page), **fields}
    if button.get("name"):
        data[button["name"]] = button.get("value", "")
    return http.post(path, data=data)


def test_caf_contact_enter_in_the_code_field_checks_the_code(http, app):
    http.get("/caf/signup")
    caf_post(http, "etat-civil", ETAT_CIVIL)
    caf_post(http, "foyer", {"household_role": "responsable"})
    caf_post(http, "piece-identite", {"document_kind": "cni", "document_number": "AB12CD34E"})
    first = page_text(http.get("/caf/signup/contact"))
    assert 'name="code"' not in first     # nothing to type before a code is sent
    sent = _implicit_submission(http, "/caf/signup/contact", first, "step-form", {"contact": "julie@example.fr"})
    assert sent.status_code == 200 and "Le code a été envoyé" in page_text(sent)
    code = re.search(r"\b(\d{6})\b", last_message(app, "email", "julie@example.fr")["text"]).group(1)
    page = page_text(http.get("/caf/signup/contact"))
    assert default_button(page, "step-form")["text"].strip() == "Valider"
    checked = _implicit_submission(http, "/caf/signup/contact", page, "step-form",
                                   {"contact": "julie@example.fr", "code": code})
    assert location(checked).endswith("/caf/signup/mot-de-passe")
    assert len(messages(app, "email", "julie@example.fr")) == 1    # not sent again


def test_caf_civility_must_match_the_nir_sex_digit(http, app):
    http.get("/caf/signup")
    refused = caf_post(http, "etat-civil", {**ETAT_CIVIL, "civility": "monsieur"})     # NIR starts with 2
    assert refused.status_code == 400
    assert by_id(page_text(refused), "nir-error")["text"] == (
        "Le numéro ne correspond pas à la civilité choisie : son premier chiffre est 1 pour un homme, 2 pour une femme.")
    assert location(caf_post(http, "etat-civil", ETAT_CIVIL)).endswith("/foyer")            # madame and 2


def test_caf_account_created_page_shows_the_masked_nir_and_the_recap_french_dates(http, app):
    recap, done = caf_signup(http, app)
    assert "17 mai 1990" in recap and "1990-05-17" not in recap
    page = page_text(done)
    assert "<h1>Votre compte est créé</h1>" in page
    assert by_id(page, "login-identifier")["text"] == "2 90 05 ** *** ***" and "2900569123456" not in page
    assert by_id(page, "continue")["attrs"]["href"] == "/caf/account"      # no service to go on to


def test_forgot_sends_by_a_verified_channel_and_says_the_same_for_anyone(http, app):
    """The account's mobile was never confirmed: "par SMS" sends the code to its confirmed
    email; the page after is the one an unknown identifier gets."""
    make_account(app)                              # email verified, no mobile
    answers = []
    for identifier in ("1840312345678", "2840312345678"):
        browser = app.test_client()
        ask(browser, identifier, "sms")
        page = page_text(browser.get("/caf/password/reset"))
        answers.append(re.sub(r'(name="csrf_token" value|nonce)="[^"]+"', "", page))
    assert answers[0] == answers[1]
    assert messages(app, "sms") == []
    assert last_message(app, "email", "camille@example.fr")["template"] == "password_reset_code"


def test_after_a_reset_the_person_goes_back_to_the_service(http, app):
    verified_account(app)
    client_id, _ = make_client(app, first_party=True)
    login_url = location(authorize(http, "caf", client_id))
    login_page = page_text(http.get(path_of(login_url)))
    forgot_link = html.unescape(re.search(r'href="([^"]*password/forgot[^"]*)"', login_page).group(1))
    assert "interaction=" in forgot_link
    http.get(forgot_link)
    ask(http, "1840312345678", "sms")
    done = page_text(reset(http, sms_code(app)))
    onward = by_id(done, "continue")
    assert onward["text"].strip() == "Se connecter et continuer vers RP de test"
    assert onward["attrs"]["href"] == path_of(login_url)
    final = location(submit_login(http, onward["attrs"]["href"], "1840312345678", GOOD["password"]))
    assert query(final)["code"] and query(final)["state"] == "st4te"


def test_account_page_in_french_formats(http, app):
    verified_account(app)                          # with the mobile +33612345678
    client_id, _ = make_client(app, scope="openid profile email")
    url = location(submit_login(http, location(authorize(http, "caf", client_id, scope="openid profile email")),
                                *ACCOUNTS["caf"]))
    location(submit_consent(http, url))
    page = page_text(http.get("/caf/account"))
    assert "12 mars 1984" in page and "1984-03-12" not in page
    assert by_id(page, "phone")["text"] == "06 12 34 56 78" and "+33612345678" not in page
    from idp.store.db import db
    from idp.store.models import SsoSession

    with app.app_context():
        opened = db.session.execute(db.select(SsoSession.created_at)).scalar_one()
    paris = opened.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Paris"))
    assert f"à {paris.hour} h {paris:%M}" in page and "(UTC)" not in page
    service = next(e for e in parse(page).elements if e["tag"] == "li" and "RP de test" in e["text"])
    words = " ".join(service["text"].split())
    assert "Votre adresse électronique" in words and "Vos prénoms" in words and "openid" not in words


def test_one_date_pattern_on_every_tenant(http, app):
    """Day, month and year fields (the DSFR's), never a native date input, on mairie, caf
    and ameli; the three fields are read as one date."""
    http.get("/mairie/signup")
    post_step(http, "profil", {"profile_type": "citoyen"})
    pages = {"mairie": page_text(http.get("/mairie/signup/identite"))}
    caf, ameli = app.test_client(), app.test_client()
    caf.get("/caf/signup")
    ameli.get("/ameli/signup")
    pages["caf"] = page_text(caf.get("/caf/signup/etat-civil"))
    pages["ameli"] = page_text(ameli.get("/ameli/signup/identite"))
    for tenant, page in pages.items():
        assert 'type="date"' not in page, tenant
        for part, auto in (("day", "bday-day"), ("month", "bday-month"), ("year", "bday-year")):
            assert by_id(page, f"birthdate-{part}")["attrs"]["autocomplete"] == auto, tenant
    parts = {"birthdate-day": "17", "birthdate-month": "5", "birthdate-year": "1990"}
    etat_civil = {k: v for k, v in ETAT_CIVIL.items() if k != "birthdate"} | parts
    assert location(caf_post(caf, "etat-civil", etat_civil)).endswith("/foyer")
    wrong = caf_post(caf, "etat-civil", etat_civil | {"birthdate-day": "31", "birthdate-month": "2"})
    assert wrong.status_code == 400 and 'value="31"' in page_text(wrong)   # what was typed stays


def test_consistent_words(http, app):
    ameli_login = page_text(http.get("/ameli/login"))
    assert by_id(ameli_login, "password-password")["text"].split()[:2] == ["Code", "personnel"]
    assert "Code personnel ou identifiant oublié ?" in html.unescape(ameli_login)
    for page in (page_text(http.get("/caf/login")), ameli_login):
        assert "astérisque" not in page
    http.get("/mairie/signup")
    profile = page_text(http.get("/mairie/signup/profil"))
    for button in ("Valider", "Annuler la demande"):
        assert f">{button}</button>" in profile
    assert "VALIDER" not in profile and "ANNULER" not in profile
    assert 'class="fr-radio-group fr-radio-rich"' in profile


def test_the_consent_step_links_to_the_cgu(http, app, monkeypatch):
    tenant = app.extensions["idp_tenants"]["mairie"]
    signup = tenant.config.signup.model_copy(update={"cgu_url": "https://www.mairie.example/cgu"})
    monkeypatch.setitem(app.extensions["idp_tenants"], "mairie",
                        dataclasses.replace(tenant, config=tenant.config.model_copy(update={"signup": signup})))
    http.get("/mairie/signup")
    post_step(http, "profil", {"profile_type": "citoyen"})
    post_step(http, "identite", {"civility": "madame", "birth_name": "Durand", "given_name": "Élodie",
                                 "birthdate": "1990-04-12", "email": "elodie.durand@example.fr"})
    post_step(http, "identifiant", {"identifier": "elodie.durand"})
    post_step(http, "mot-de-passe", {"password": "Citoyenne2026", "password_repeat": "Citoyenne2026"})
    page = html.unescape(page_text(http.get("/mairie/signup/conditions")))
    assert '<a class="fr-link" href="https://www.mairie.example/cgu"' in page
    assert "Lire les conditions générales d’utilisation (version 2026-01)" in page
