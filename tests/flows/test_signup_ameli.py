"""ameli's signup (seed 002): identity checked against the reference directory, immediate
access with IBAN and carte Vitale, or a provisional code by post that forces choosing a
personal code at first login; a unique email confirmed by a link."""

from __future__ import annotations

import json
import re
from pathlib import Path

import requests_mock

from helpers import authorize, csrf, location, make_client, page_text, path_of, query, submit_login
from messages_support import last_message

IDENTITY = {"birth_name": "Martin", "nir": "1 85 02 33 063 042", "birthdate": "14/02/1985", "postal_code": "33000"}
ACCESS = {"iban_last7": "0604 312", "vitale_serial": "12345678901"}
CODE = "Securite-2026"


def post(http, name, data):
    page = http.get(f"/ameli/signup/{name}")
    assert page.status_code == 200, page_text(page)[:300]
    return http.post(f"/ameli/signup/{name}", data={"csrf_token": csrf(page_text(page)), **data})


def test_immediate_access_signup(http, app):
    from idp.accounts.service import find_account

    http.get("/ameli/signup")
    assert location(post(http, "identite", IDENTITY)).endswith("/acces")
    assert location(post(http, "acces", ACCESS)).endswith("/conditions")
    assert location(post(http, "conditions", {"cgu": "on", "rgpd": "on"})).endswith("/code-personnel")
    assert location(post(http, "code-personnel", {"password": CODE, "password_repeat": CODE})).endswith("/email")
    assert location(post(http, "email", {"email": "pierre.martin@example.fr"})).endswith("/activation")
    post(http, "activation", {"channel": "email"})
    link = re.search(r"(http://idp\.test/ameli/signup/activate/\S+)", last_message(app, "email", "pierre.martin@example.fr")["text"]).group(1)
    assert "Votre compte est activé" in page_text(http.get(path_of(link)))
    with app.app_context():
        account = find_account("ameli", "1850233063042")
        assert account.status == "active" and account.given_name == "Pierre Jean" and account.birthdate == "1985-02-14"
        assert account.email_verified is True


def test_directory_mismatch_is_one_message(http, app):
    http.get("/ameli/signup")
    for changed in ({"birth_name": "Dupont"}, {"birthdate": "15/02/1985"}, {"postal_code": "33100"},
                    {"nir": "1 85 02 33 063 043"}):
        response = post(http, "identite", {**IDENTITY, **changed})
        assert response.status_code == 400
        assert "Les informations saisies ne correspondent pas à nos données." in page_text(response)


def test_name_match_ignores_case_and_accents(http, app):
    http.get("/ameli/signup")
    assert location(post(http, "identite", {**IDENTITY, "birth_name": "martín"})).endswith("/acces")


def test_bad_nir_gets_its_own_message(http, app):
    http.get("/ameli/signup")
    response = post(http, "identite", {**IDENTITY, "nir": "12345"})
    assert response.status_code == 400 and 'id="nir-error"' in page_text(response)


def test_documents_mismatch(http, app):
    http.get("/ameli/signup")
    post(http, "identite", IDENTITY)
    wrong = post(http, "acces", {**ACCESS, "vitale_serial": "99999999999"})
    assert "Les informations saisies ne correspondent pas à nos données." in page_text(wrong)


def test_duplicate_email_refused(http, app):
    from helpers import make_account

    make_account(app, "ameli", email="pierre.martin@example.fr")
    http.get("/ameli/signup")
    post(http, "identite", IDENTITY)
    post(http, "acces", ACCESS)
    post(http, "conditions", {"cgu": "on", "rgpd": "on"})
    post(http, "code-personnel", {"password": CODE, "password_repeat": CODE})
    taken = post(http, "email", {"email": "Pierre.Martin@example.fr"})
    assert "Cette adresse électronique est déjà utilisée par un autre compte." in page_text(taken)


def test_provisional_code_by_post_then_choose_personal_code(http, app):
    http.get("/ameli/signup")
    post(http, "identite", IDENTITY)
    sent = post(http, "acces", {"action": "provisional"})
    assert "Vous recevrez votre code provisoire sous 8 jours" in page_text(sent)
    batch = next(Path(app.config["IDP_SETTINGS"].notify.letters.batch_dir).glob("letters-*.jsonl"))
    letter = json.loads(batch.read_text(encoding="utf-8").splitlines()[-1])
    assert letter["to"]["lines"] == ["12 cours de l'Intendance", "33000 Bordeaux"]
    code = re.search(r"accéder à votre compte .*? : (\w{8})", letter["text"], re.S).group(1)
    client_id, _ = make_client(app, "ameli", first_party=True)
    browser = app.test_client()
    login = submit_login(browser, location(authorize(browser, "ameli", client_id)), "1850233063042", code)
    assert location(login).endswith("/ameli/personal-code")
    page = page_text(browser.get("/ameli/personal-code"))
    weak = browser.post("/ameli/personal-code", data={"csrf_token": csrf(page), "password": "abc", "password_repeat": "abc"})
    assert weak.status_code == 400
    done = browser.post("/ameli/personal-code", data={"csrf_token": csrf(page), "password": CODE, "password_repeat": CODE})
    assert query(location(browser.get(path_of(location(done)))))["code"]
    again = app.test_client()
    reused = submit_login(again, location(authorize(again, "ameli", client_id)), "1850233063042", code)
    assert "Identifiant ou mot de passe incorrect." in page_text(reused)


def test_http_directory_unavailable(http, app):
    from idp.signup import directory_steps
    from idp.signup.directory import HttpDirectory

    directory_steps._directories["ameli"] = HttpDirectory("https://annuaire.example", "t0k")
    try:
        http.get("/ameli/signup")
        with requests_mock.Mocker() as mock:
            mock.get("https://annuaire.example/beneficiaries/1850233063042", status_code=502)
            down = post(http, "identite", IDENTITY)
            assert "Service momentanément indisponible" in page_text(down)
            mock.get("https://annuaire.example/beneficiaries/1850233063042", json={
                "nir": "1850233063042", "birth_name": "MARTIN", "given_names": "Pierre", "birthdate": "1985-02-14",
                "postal_code": "33000", "iban_last7": "0604312", "vitale_serials": ["12345678901"],
                "address": ["1 rue X", "33000 Bordeaux"]})
            assert location(post(http, "identite", IDENTITY)).endswith("/acces")
            assert mock.request_history[-1].headers["Authorization"] == "Bearer t0k"
    finally:
        directory_steps._directories.clear()
