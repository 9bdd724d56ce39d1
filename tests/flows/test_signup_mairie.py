"""The mairie signup journey (seed 001), through the Flask test client: every step, every
refusal, activation by SMS code and by email link, resumption of the relying party's request."""

from __future__ import annotations

import re

import pytest

from helpers import page_text, csrf, location, make_client, path_of, query, authorize
from messages_support import last_message

IDENTITY = {"civility": "madame", "birth_name": "Durand", "usage_name": "", "given_name": "Élodie",
            "birthdate": "1990-04-12", "email": "elodie.durand@example.fr", "phone": "01.01.01.01.01",
            "mobile": "06.12.34.56.78", "opt_in_email": "on"}
PASSWORD = "Citoyenne2026"


def post_step(http, name, data):
    page = http.get(f"/mairie/signup/{name}")
    assert page.status_code == 200, page_text(page)[:300]
    return http.post(f"/mairie/signup/{name}", data={"csrf_token": csrf(page_text(page)), **data})


def signup_until_activation(http, identity=IDENTITY, identifier=None):
    assert location(http.get("/mairie/signup")).endswith("/mairie/signup/profil")
    assert location(post_step(http, "profil", {"profile_type": "citoyen"})).endswith("/identite")
    assert location(post_step(http, "identite", identity)).endswith("/identifiant")
    page = page_text(http.get("/mairie/signup/identifiant"))
    proposed = re.search(r'id="identifier" name="identifier" type="text" value="([^"]*)"', page).group(1)
    assert location(post_step(http, "identifiant", {"identifier": identifier or proposed})).endswith("/mot-de-passe")
    assert location(post_step(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD})).endswith("/conditions")
    assert location(post_step(http, "conditions", {"cgu": "on", "rgpd": "on"})).endswith("/activation")
    return proposed


def account_row(app, identifier):
    from idp.accounts.service import find_account

    with app.app_context():
        return find_account("mairie", identifier)


def test_signup_with_sms_activation(http, app):
    identifier = signup_until_activation(http)
    assert identifier == "elodie.durand"
    assert account_row(app, identifier) is None  # nothing written until activation is sent
    assert location(post_step(http, "activation", {"channel": "sms"})).endswith("/signup/activation/code")
    assert account_row(app, identifier).status == "pending_activation"
    message = last_message(app, "sms", "+33612345678")
    code = re.search(r"\b(\d{6})\b", message["text"]).group(1)
    assert "Mairie" in message["text"]
    page = page_text(http.get("/mairie/signup/activation/code"))
    wrong = http.post("/mairie/signup/activation/code", data={"csrf_token": csrf(page), "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and "Le code saisi est incorrect." in page_text(wrong)
    done = http.post("/mairie/signup/activation/code", data={"csrf_token": csrf(page), "code": code})
    assert "Votre compte est activé" in page_text(done)
    account = account_row(app, identifier)
    assert account.status == "active" and account.phone_number == "+33612345678"
    assert account.family_name == "Durand" and account.given_name == "Élodie" and account.birthdate == "1990-04-12"
    assert account.profile["consents"]["cgu"]["version"] == "2026-01"
    assert account.profile["opt_in_email"] is True and account.profile["opt_in_sms"] is False
    assert account.password_hash.startswith("$argon2id$")


def test_signup_with_email_link(http, app):
    identifier = signup_until_activation(http)
    assert location(post_step(http, "activation", {"channel": "email"})).endswith("/signup/activation/email")
    message = last_message(app, "email", "elodie.durand@example.fr")
    link = re.search(r"(http://idp\.test/mairie/signup/activate/\S+)", message["text"]).group(1)
    other_browser = app.test_client()
    assert "Votre compte est activé" in page_text(other_browser.get(path_of(link)))
    assert account_row(app, identifier).email_verified is True
    again = other_browser.get(path_of(link))
    assert again.status_code == 400 and "déjà été utilisé" in page_text(again)


def test_signup_from_relying_party_resumes_authorization(http, app):
    client_id, _ = make_client(app, "mairie", first_party=True)
    login_url = location(authorize(http, "mairie", client_id))
    login_page = page_text(http.get(path_of(login_url)))
    signup_link = re.search(r'href="([^"]*signup[^"]*)"', login_page).group(1).replace("&amp;", "&")
    assert "Créer mon compte" in login_page
    http.get(signup_link)
    signup_until_activation(http)
    post_step(http, "activation", {"channel": "sms"})
    code = re.search(r"\b(\d{6})\b", last_message(app, "sms", "+33612345678")["text"]).group(1)
    page = page_text(http.get("/mairie/signup/activation/code"))
    created = http.post("/mairie/signup/activation/code", data={"csrf_token": csrf(page), "code": code})
    # the "compte créé" page first: the identifier to log in with, then on to the service
    html = page_text(created)
    assert created.status_code == 200 and "<h1>Votre compte est créé</h1>" in html
    assert '<p class="fr-callout__text" id="login-identifier"><strong>elodie.durand</strong></p>' in html
    onward = re.search(r'href="([^"]+)" id="continue">Continuer vers ([^<]+)</a>', html)
    assert onward and onward.group(2) == "RP de test"
    final = location(http.get(path_of(onward.group(1))))
    assert query(final)["code"] and query(final)["state"] == "st4te"


def test_taken_identifier_gets_suggestion(http, app):
    from helpers import make_account

    make_account(app, "mairie", identifier="elodie.durand", password="Mairie2024Demo")
    signup_until_identifier = http.get("/mairie/signup")
    post_step(http, "profil", {"profile_type": "citoyen"})
    post_step(http, "identite", IDENTITY)
    page = page_text(http.get("/mairie/signup/identifiant"))
    assert 'value="elodie.durand2"' in page  # the free candidate is proposed
    taken = post_step(http, "identifiant", {"identifier": "elodie.durand"})
    assert taken.status_code == 400
    assert "Cet identifiant est déjà pris. Suggestion : elodie.durand2" in page_text(taken)
    availability = http.get("/mairie/signup/availability?identifier=elodie.durand").get_json()
    assert availability["available"] is False and availability["suggestion"] == "elodie.durand2"
    assert http.get("/mairie/signup/availability?identifier=elodie.durand2").get_json() == {
        "available": True, "message": "Identifiant disponible !", "normalised": "elodie.durand2"}


def test_identity_refusals_keep_what_was_typed(http, app):
    http.get("/mairie/signup")
    post_step(http, "profil", {"profile_type": "citoyen"})
    bad = post_step(http, "identite", {**IDENTITY, "birth_name": "", "email": "pas-un-email", "mobile": "01.01.01.01.01",
                                       "birthdate": "2999-01-01"})
    html = page_text(bad)
    assert bad.status_code == 400
    assert 'id="error-summary"' in html and "Ce champ est obligatoire." in html
    assert 'value="pas-un-email"' in html and 'value="Élodie"' in html
    for name in ("birth_name", "email", "mobile", "birthdate"):
        assert f'id="{name}-error"' in html, name


def test_entreprise_profile_asks_for_siret(http, app):
    http.get("/mairie/signup")
    first = post_step(http, "profil", {"profile_type": "entreprise"})
    html = page_text(first)
    assert first.status_code == 400 and 'name="siret"' in html and 'name="company_name"' in html
    bad = post_step(http, "profil", {"profile_type": "entreprise", "company_name": "ACME", "siret": "12345678901234"})
    assert bad.status_code == 400 and 'id="siret-error"' in page_text(bad)
    ok = post_step(http, "profil", {"profile_type": "entreprise", "company_name": "ACME", "siret": "732 829 320 00074"})
    assert location(ok).endswith("/identite")


def test_weak_password_and_mismatch_refused(http, app):
    http.get("/mairie/signup")
    post_step(http, "profil", {"profile_type": "citoyen"})
    post_step(http, "identite", IDENTITY)
    post_step(http, "identifiant", {"identifier": "elodie.durand"})
    weak = post_step(http, "mot-de-passe", {"password": "abc", "password_repeat": "abc"})
    assert weak.status_code == 400 and 'id="password-error"' in page_text(weak)
    mismatch = post_step(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD + "x"})
    assert "Les deux mots de passe ne sont pas identiques." in page_text(mismatch)


def test_consent_required(http, app):
    http.get("/mairie/signup")
    post_step(http, "profil", {"profile_type": "citoyen"})
    post_step(http, "identite", IDENTITY)
    post_step(http, "identifiant", {"identifier": "elodie.durand"})
    post_step(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD})
    refused = post_step(http, "conditions", {"cgu": "on"})
    assert refused.status_code == 400
    assert "Vous devez consentir au traitement de vos données" in page_text(refused)


def test_steps_cannot_be_skipped(http, app):
    http.get("/mairie/signup")
    assert location(http.get("/mairie/signup/mot-de-passe")).endswith("/mairie/signup/profil")


def test_pending_account_cannot_log_in(http, app):
    identifier = signup_until_activation(http)
    post_step(http, "activation", {"channel": "email"})
    client_id, _ = make_client(app, "mairie", first_party=True)
    from helpers import submit_login

    response = submit_login(http, location(authorize(http, "mairie", client_id)), identifier, PASSWORD)
    assert "Votre compte n'est pas encore activé." in page_text(response)


def test_cancel_discards_everything(http, app):
    from sqlalchemy import func, select

    from idp.store.db import db
    from idp.store.models import Account, Signup

    signup_until_activation(http)
    post_step(http, "activation", {"channel": "email"})  # the pending account now exists
    page = page_text(http.get("/mairie/signup/activation"))
    cancelled = http.post("/mairie/signup/cancel", data={"csrf_token": csrf(page)})
    assert "a été annulée" in page_text(cancelled)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Account)) == 0
        assert db.session.scalar(select(func.count()).select_from(Signup)) == 0


def test_password_never_stored_in_signup_state(http, app):
    from sqlalchemy import text

    from idp.store.db import db

    http.get("/mairie/signup")
    post_step(http, "profil", {"profile_type": "citoyen"})
    post_step(http, "identite", IDENTITY)
    post_step(http, "identifiant", {"identifier": "elodie.durand"})
    post_step(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD})
    with app.app_context():
        dump = str(db.session.execute(text("SELECT * FROM signups")).mappings().all())
    assert PASSWORD not in dump and "Durand" not in dump  # sealed


def test_code_attempts_are_bounded(http, app):
    signup_until_activation(http)
    post_step(http, "activation", {"channel": "sms"})
    page = page_text(http.get("/mairie/signup/activation/code"))
    code = re.search(r"\b(\d{6})\b", last_message(app, "sms", "+33612345678")["text"]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = http.post("/mairie/signup/activation/code", data={"csrf_token": csrf(page), "code": wrong})
    assert "Trop d'essais. Demandez un nouveau code." in page_text(response)
    late = http.post("/mairie/signup/activation/code", data={"csrf_token": csrf(page), "code": code})
    assert late.status_code == 400  # even the right code is void now


def test_resend_is_throttled(http, app):
    signup_until_activation(http)
    post_step(http, "activation", {"channel": "sms"})
    page = page_text(http.get("/mairie/signup/activation/code"))
    response = http.post("/mairie/signup/activation/code", data={"csrf_token": csrf(page), "action": "resend"})
    assert response.status_code == 429
    assert "Patientez" in page_text(response)


def test_expired_code_refused(http, app, monkeypatch):
    from datetime import timedelta

    import idp.verification.codes as verification

    signup_until_activation(http)
    post_step(http, "activation", {"channel": "sms"})
    code = re.search(r"\b(\d{6})\b", last_message(app, "sms", "+33612345678")["text"]).group(1)
    real = verification.utcnow
    monkeypatch.setattr(verification, "utcnow", lambda: real() + timedelta(seconds=601))
    page = page_text(http.get("/mairie/signup/activation/code"))
    late = http.post("/mairie/signup/activation/code", data={"csrf_token": csrf(page), "code": code})
    assert late.status_code == 400 and "Ce code a expiré. Demandez-en un nouveau." in page_text(late)


def test_live_identifier_check_is_rate_limited_per_address(http, app):
    """It tells whether an identifier exists: 30 checks a minute per address, then 429."""
    limit = app.config["IDP_SETTINGS"].login.availability_checks_per_minute
    for _ in range(limit):
        assert http.get("/mairie/signup/availability?identifier=jean.dupont").status_code == 200
    refused = http.get("/mairie/signup/availability?identifier=jean.dupont")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert refused.get_json()["available"] is None and "réessayez dans une minute" in refused.get_json()["message"]
    other = app.test_client()
    assert other.get("/mairie/signup/availability?identifier=x", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    # the form's own check answers from the same limit: it is no way round it
    from flask import g

    from idp.signup.steps import availability

    with app.test_request_context("/mairie/signup/identifiant", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        g.tenant = app.extensions["idp_tenants"]["mairie"]
        verdict = availability("jean.dupont", {})
    assert verdict["code"] == "rate_limited" and verdict["available"] is None
