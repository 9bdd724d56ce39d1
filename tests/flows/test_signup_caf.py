"""The caf signup (seeds 003-004): état civil with NIR or provisional identifier, identity
document, contact verified by code, password, recap; then the account logs in."""

from __future__ import annotations

import json
from pathlib import Path

import re

from helpers import page_text, authorize, csrf, location, make_client, query, submit_login
from messages_support import last_message

ETAT_CIVIL = {"nir": "2 90 05 69 123 456", "civility": "madame", "birth_name": "Moreau",
              "given_names": "Julie Anne", "birthdate": "1990-05-17", "birthplace": "Lyon"}
PASSWORD = "Allocataire2026"


def post(http, name, data):
    page = http.get(f"/caf/signup/{name}")
    assert page.status_code == 200, page_text(page)[:300]
    return http.post(f"/caf/signup/{name}", data={"csrf_token": csrf(page_text(page)), **data})


def contact_step(http, app, contact="julie.moreau@example.fr", channel="email"):
    sent = post(http, "contact", {"action": "send", "contact": contact})
    assert sent.status_code == 200 and "Le code a été envoyé" in page_text(sent)
    code = re.search(r"\b(\d{6})\b", last_message(app, channel, contact if channel == "email" else "+33612345678")["text"]).group(1)
    return post(http, "contact", {"code": code})


def signup(http, app, etat_civil=ETAT_CIVIL, document=None, household=None):
    http.get("/caf/signup")
    assert location(post(http, "etat-civil", etat_civil)).endswith("/foyer")
    assert location(post(http, "foyer", household or {"household_role": "responsable"})).endswith("/piece-identite")
    document = document or {"document_kind": "cni", "document_number": "AB12CD34E"}
    assert location(post(http, "piece-identite", document)).endswith("/contact")
    assert location(contact_step(http, app)).endswith("/mot-de-passe")
    assert location(post(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD})).endswith("/conditions")
    assert location(post(http, "conditions", {"cgu": "on", "rgpd": "on"})).endswith("/recapitulatif")
    recap = page_text(http.get("/caf/signup/recapitulatif"))
    return recap, post(http, "recapitulatif", {})


def test_caf_signup_then_login(http, app):
    from idp.accounts.service import find_account

    recap, done = signup(http, app)
    assert "Moreau" in recap and "2 90 05 ** *** ***" in recap and "2900569123456" not in recap
    assert "Votre compte est activé" in page_text(done)
    with app.app_context():
        account = find_account("caf", "2900569123456")
        assert account.status == "active" and account.email_verified is True
        assert account.profile["birthplace"] == "69123" and account.profile["birthcountry"] == "99100"
        assert account.profile["document"]["kind"] == "cni" and "AB12CD34E" not in str(account.profile)
    client_id, _ = make_client(app, "caf", first_party=True)
    other = app.test_client()
    response = submit_login(other, location(authorize(other, "caf", client_id)), "2900569123456", PASSWORD)
    assert query(location(response))["code"]


def test_without_nir_a_provisional_identifier_is_issued(http, app):
    from idp.accounts.service import account_identifier

    recap, done = signup(http, app, {**ETAT_CIVIL, "nir": "", "no_nir": "on"})
    identifier = re.search(r"<dd[^>]*>(P\d{12})</dd>", recap).group(1)
    from idp.accounts.service import find_account

    with app.app_context():
        account = find_account("caf", identifier)
        assert account is not None and account.profile["provisional_identifier"] is True
        assert account_identifier(account) == identifier


def test_nir_refusals(http, app):
    http.get("/caf/signup")
    bad_key = post(http, "etat-civil", {**ETAT_CIVIL, "nir": "3 90 05 69 123 456"})
    assert bad_key.status_code == 400 and 'id="nir-error"' in page_text(bad_key)
    wrong_year = post(http, "etat-civil", {**ETAT_CIVIL, "birthdate": "1991-05-17"})
    assert "ne correspond pas à l'année de naissance" in page_text(wrong_year)
    ambiguous = post(http, "etat-civil", {**ETAT_CIVIL, "birthplace": "Saint-Denis"})
    assert "précisez le département" in page_text(ambiguous)
    abroad = post(http, "etat-civil", {**ETAT_CIVIL, "birthplace": "Allemagne"})
    assert location(abroad).endswith("/foyer")


def test_document_refusals_and_pending_account(http, app):
    from idp.accounts.service import find_account

    http.get("/caf/signup")
    post(http, "etat-civil", ETAT_CIVIL)
    post(http, "foyer", {"household_role": "responsable"})
    bad = post(http, "piece-identite", {"document_kind": "passport", "document_number": "123"})
    assert bad.status_code == 400 and 'id="document_number-error"' in page_text(bad)
    specimen = post(http, "piece-identite", {"document_kind": "cni", "document_number": "X4RTBPFW4"})
    assert "n'a pas pu être vérifiée" in page_text(specimen)
    assert location(post(http, "piece-identite", {"no_document": "on"})).endswith("/contact")
    contact_step(http, app)
    post(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD})
    post(http, "conditions", {"cgu": "on", "rgpd": "on"})
    done = post(http, "recapitulatif", {})
    assert "justificatif" in page_text(done)
    with app.app_context():
        assert find_account("caf", "2900569123456").status == "pending_document"


def test_document_verifier_unavailable(http, app):
    import requests_mock

    from idp.signup import identity_steps
    from idp.signup.documents import HttpDocumentVerifier

    identity_steps._verifiers["caf"] = HttpDocumentVerifier("https://verif.example", "t0ken")
    try:
        http.get("/caf/signup")
        post(http, "etat-civil", ETAT_CIVIL)
        post(http, "foyer", {"household_role": "responsable"})
        with requests_mock.Mocker() as mock:
            mock.post("https://verif.example/verifications", status_code=503)
            down = post(http, "piece-identite", {"document_kind": "cni", "document_number": "AB12CD34E"})
            assert "Service momentanément indisponible" in page_text(down)
            mock.post("https://verif.example/verifications", json={"valid": True})
            assert location(post(http, "piece-identite", {"document_kind": "cni", "document_number": "AB12CD34E"})).endswith("/contact")
            assert mock.request_history[-1].headers["Authorization"] == "Bearer t0ken"
    finally:
        identity_steps._verifiers.clear()


def test_contact_code_must_be_sent_and_right(http, app):
    http.get("/caf/signup")
    post(http, "etat-civil", ETAT_CIVIL)
    post(http, "foyer", {"household_role": "responsable"})
    post(http, "piece-identite", {"document_kind": "cni", "document_number": "AB12CD34E"})
    early = post(http, "contact", {"code": "123456"})
    assert early.status_code == 400 and "Envoyer le code" in page_text(early)
    post(http, "contact", {"action": "send", "contact": "06 12 34 56 78"})
    wrong = post(http, "contact", {"code": "000000"})
    assert wrong.status_code == 400
    code = re.search(r"\b(\d{6})\b", last_message(app, "sms", "+33612345678")["text"]).group(1)
    assert location(post(http, "contact", {"code": code})).endswith("/mot-de-passe")


def test_household_member_claim(http, app):
    from helpers import exchange, login_flow

    bad = None
    http.get("/caf/signup")
    post(http, "etat-civil", ETAT_CIVIL)
    bad = post(http, "foyer", {"household_file": "12345", "household_role": "conjoint"})
    assert "Le numéro allocataire comporte 7 chiffres." in page_text(bad)
    http.get("/caf/signup?restart=1")
    signup(http, app, household={"household_file": "1234567", "household_role": "conjoint"})
    client_id, secret = make_client(app, "caf", first_party=True)
    browser = app.test_client()
    url = login_flow(browser, "caf", client_id, identifier="2900569123456", password=PASSWORD, scope="openid household")
    tokens = exchange(browser, "caf", client_id, secret, query(url)["code"]).get_json()
    info = browser.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert info["household"] == {"file": "1234567", "role": "conjoint", "rights": "limited",
                                 "power_of_attorney": False, "verified": False}


def test_supporting_document_upload_then_operator_opens(http, app, tmp_path):
    import io

    from idp.accounts.service import find_account
    from idp.store.db import db
    from idp.store.models import SupportingDocument

    http.get("/caf/signup")
    post(http, "etat-civil", ETAT_CIVIL)
    post(http, "foyer", {"household_role": "responsable"})
    post(http, "piece-identite", {"no_document": "on"})
    contact_step(http, app)
    post(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD})
    post(http, "conditions", {"cgu": "on", "rgpd": "on"})
    post(http, "recapitulatif", {})
    page = page_text(http.get("/caf/signup/justificatif"))
    fake = http.post("/caf/signup/justificatif", data={"csrf_token": csrf(page), "document": (io.BytesIO(b"MZ\\x90 exe"), "doc.pdf")},
                     content_type="multipart/form-data")
    assert fake.status_code == 400 and "PDF, JPEG ou PNG" in page_text(fake)
    ok = http.post("/caf/signup/justificatif", data={"csrf_token": csrf(page), "document": (io.BytesIO(b"%PDF-1.7 scan"), "titre.pdf")},
                   content_type="multipart/form-data")
    assert "bien été reçu" in page_text(ok)
    with app.app_context():
        stored = db.session.execute(db.select(SupportingDocument)).scalar_one()
        assert stored.content_type == "application/pdf" and b"%PDF" not in stored.sealed
    runner = app.test_cli_runner()
    waiting = json.loads(runner.invoke(args=["users", "pending", "--tenant", "caf", "--json"]).output)["accounts"]
    assert [(a["status"], a["documents"], a["identifier"]) for a in waiting] == [
        ("pending_document", 1, "2 90 05 ** *** ***")]
    # the operator reads the document before opening the account
    out = tmp_path / "to-check"
    listed = runner.invoke(args=["users", "documents", "--tenant", "caf", "--identifier", "2900569123456",
                                 "--out", str(out), "--json"])
    [document] = json.loads(listed.output)["documents"]
    assert document["filename"] == "titre.pdf" and document["content_type"] == "application/pdf"
    written = Path(document["written_to"])
    assert written.read_bytes() == b"%PDF-1.7 scan" and oct(written.stat().st_mode & 0o777) == "0o600"
    assert written.suffix == ".pdf" and "titre" not in written.name   # our name, the checked type's extension
    again = runner.invoke(args=["users", "documents", "--tenant", "caf", "--identifier", "2900569123456",
                                "--out", str(out)])
    assert again.exit_code != 0 and "exists" in again.output              # never overwrites
    result = runner.invoke(args=["users", "activate", "--tenant", "caf", "--identifier", "2900569123456", "--json"])
    assert '"previous_status": "pending_document"' in result.output
    with app.app_context():
        assert find_account("caf", "2900569123456").status == "active"
