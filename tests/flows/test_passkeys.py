"""Passkeys (issue 16): registration in /account, login where the tenant allows it, with a
software authenticator (tests/softauthn.py) standing in for the browser's."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging

import pytest

from helpers import ACCOUNTS, authorize, csrf, exchange, location, make_account, make_client, page_text, path_of, query
from messages_support import messages
from softauthn import SoftAuthenticator


def direct_login(http, tenant="caf"):
    identifier, password = ACCOUNTS[tenant]
    page = http.get(f"/{tenant}/login").get_data(as_text=True)
    return http.post(f"/{tenant}/login", data={"csrf_token": csrf(page), "identifier": identifier, "password": password})


@pytest.fixture
def passkey_login(app, monkeypatch):
    """The caf tenant with ``[tenants.caf.mfa] passkey_login = true``."""
    from idp.config.settings import MfaSettings

    tenants = app.extensions["idp_tenants"]
    tenant = tenants["caf"]
    allowed = dataclasses.replace(tenant, config=tenant.config.model_copy(update={"mfa": MfaSettings(passkey_login=True)}))
    monkeypatch.setitem(tenants, "caf", allowed)


def _options(http, url, **data):
    page = http.get("/caf/account/passkeys").get_data(as_text=True) if "account" in url else http.get("/caf/login").get_data(as_text=True)
    response = http.post(url, data={"csrf_token": csrf(page), **data})
    return response, page


def register(http, authenticator, name="Téléphone", origin=None):
    response, page = _options(http, "/caf/account/passkeys/options")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    answer = authenticator.create(body["publicKey"], origin=origin)
    return http.post("/caf/account/passkeys", data={"csrf_token": csrf(page), "handle": body["handle"],
                                                    "credential": answer, "name": name}), body, answer


def registered(http, app):
    make_account(app)
    direct_login(http)
    authenticator = SoftAuthenticator()
    response, _, _ = register(http, authenticator)
    assert location(response).endswith("/caf/account/passkeys?done=added")
    return authenticator


def _rows(app):
    from idp.store.db import db, unscoped
    from idp.store.models import PasskeyCredential

    with app.app_context():
        return list(db.session.execute(unscoped(PasskeyCredential, reason="test")).scalars())


def test_registration_stores_the_credential_audits_and_tells_the_person(http, app, caplog):
    caplog.set_level(logging.INFO, "idp.audit")
    authenticator = registered(http, app)
    [row] = _rows(app)
    assert row.tenant == "caf" and row.name == "Téléphone" and row.sign_count == 0 and row.transports == ["internal"]
    assert base64.urlsafe_b64decode(row.credential_id + "==") == authenticator.credential_id
    assert authenticator.user_handle == row.account_id.encode()        # the random account id, never the NIR
    page = page_text(http.get("/caf/account/passkeys?done=added"))
    assert "La clé d'accès a été ajoutée." in page and "Téléphone" in page
    [sent] = [m for m in messages(app, "email") if "ajoutée" in m["subject"]]
    assert sent["to"] == "camille@example.fr" and "« Téléphone »" in sent["text"]
    assert any('"event": "passkey.registered"' in r.message for r in caplog.records)


def test_registration_options_hide_the_nir_and_require_user_verification(http, app):
    make_account(app)
    direct_login(http)
    response, _ = _options(http, "/caf/account/passkeys/options")
    options = response.get_json()["publicKey"]
    assert options["rp"]["id"] == "idp.test"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert "1840312345678" not in json.dumps(options)


def test_a_registration_answer_is_used_once(http, app):
    make_account(app)
    direct_login(http)
    response, body, answer = register(http, SoftAuthenticator())
    assert response.status_code == 302
    page = http.get("/caf/account/passkeys").get_data(as_text=True)
    again = http.post("/caf/account/passkeys", data={"csrf_token": csrf(page), "handle": body["handle"],
                                                     "credential": answer, "name": "Encore"})
    assert again.status_code == 400
    assert "Cette demande de clé d'accès a expiré ou a déjà servi. Recommencez." in page_text(again)
    assert len(_rows(app)) == 1


def test_a_registration_made_for_another_origin_is_refused(http, app):
    make_account(app)
    direct_login(http)
    response, _, _ = register(http, SoftAuthenticator(), origin="http://idp.test.evil.example")
    assert response.status_code == 400
    assert "La clé d'accès n'a pas pu être vérifiée. Recommencez." in page_text(response)
    assert _rows(app) == []


def test_a_registration_without_user_verification_is_refused(http, app):
    make_account(app)
    direct_login(http)
    response, page = _options(http, "/caf/account/passkeys/options")
    body = response.get_json()
    answer = SoftAuthenticator().create(body["publicKey"], uv=False)
    refused = http.post("/caf/account/passkeys", data={"csrf_token": csrf(page), "handle": body["handle"],
                                                       "credential": answer, "name": "Sans code"})
    assert refused.status_code == 400 and _rows(app) == []


def test_adding_a_passkey_needs_a_recent_login(http, app, monkeypatch):
    make_account(app)
    direct_login(http)
    monkeypatch.setattr("idp.oidc.sessions.recent", lambda row: False)
    page = http.get("/caf/account").get_data(as_text=True)
    response = http.post("/caf/account/passkeys/options", data={"csrf_token": csrf(page)})
    assert response.status_code == 403 and response.get_json()["error"] == "reauthenticate"
    assert "reconnectez-vous d'abord" in page_text(http.get("/caf/account/passkeys"))


def test_a_passkey_is_renamed_and_removed_and_the_removal_told(http, app, caplog):
    caplog.set_level(logging.INFO, "idp.audit")
    registered(http, app)
    [row] = _rows(app)
    page = http.get("/caf/account/passkeys").get_data(as_text=True)
    renamed = http.post(f"/caf/account/passkeys/{row.id}/rename", data={"csrf_token": csrf(page), "name": "Clé USB"})
    assert location(renamed).endswith("done=renamed") and _rows(app)[0].name == "Clé USB"
    removed = http.post(f"/caf/account/passkeys/{row.id}/remove", data={"csrf_token": csrf(page)})
    assert location(removed).endswith("done=removed") and _rows(app) == []
    [sent] = [m for m in messages(app, "email") if "retirée" in m["subject"]]
    assert "« Clé USB »" in sent["text"]
    assert any('"event": "passkey.removed"' in r.message for r in caplog.records)


def test_another_account_cannot_remove_a_passkey(http, app):
    registered(http, app)
    [row] = _rows(app)
    make_account(app, identifier="1840312345679", email="autre@example.fr")
    other = app.test_client()
    page = other.get("/caf/login").get_data(as_text=True)
    other.post("/caf/login", data={"csrf_token": csrf(page), "identifier": "1840312345679", "password": ACCOUNTS["caf"][1]})
    page = other.get("/caf/account/passkeys").get_data(as_text=True)
    assert other.post(f"/caf/account/passkeys/{row.id}/remove", data={"csrf_token": csrf(page)}).status_code == 404
    assert len(_rows(app)) == 1


# -- the login with a passkey ----------------------------------------------------------

def _id_token_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def passkey_login_at(http, login_url, authenticator, **overrides):
    page = http.get(path_of(login_url)).get_data(as_text=True)
    interaction = path_of(login_url).rsplit("/", 1)[1]
    options = http.post("/caf/passkeys/login/options", data={"csrf_token": csrf(page), "interaction": interaction})
    assert options.status_code == 200, options.get_data(as_text=True)
    body = options.get_json()
    answer = authenticator.get(body["publicKey"], **overrides)
    return http.post("/caf/passkeys/login", data={"csrf_token": csrf(page), "interaction": interaction,
                                                  "handle": body["handle"], "credential": answer})


def test_login_with_a_passkey_is_eidas2(http, app, passkey_login, caplog):
    caplog.set_level(logging.INFO, "idp.audit")
    authenticator = registered(http, app)
    client_id, secret = make_client(app, first_party=True)
    browser = app.test_client()
    login_url = location(authorize(browser, "caf", client_id))
    page = page_text(browser.get(path_of(login_url)))
    assert "Se connecter avec une clé d'accès" in page and "passkeys.js" in page
    done = passkey_login_at(browser, login_url, authenticator)
    code = query(location(done))["code"]
    claims = _id_token_claims(exchange(browser, "caf", client_id, secret, code).get_json()["id_token"])
    assert claims["acr"] == "eidas2" and claims["amr"] == ["hwk", "user", "mfa"]
    [row] = _rows(app)
    assert row.sign_count == 1 and row.last_used_at is not None
    assert any('"event": "passkey.used"' in r.message and '"purpose": "login"' in r.message for r in caplog.records)


def test_a_synced_passkey_says_swk(http, app, passkey_login):
    make_account(app)
    direct_login(http)
    authenticator = SoftAuthenticator(synced=True)
    assert register(http, authenticator)[0].status_code == 302
    client_id, secret = make_client(app, first_party=True)
    browser = app.test_client()
    done = passkey_login_at(browser, location(authorize(browser, "caf", client_id)), authenticator)
    claims = _id_token_claims(exchange(browser, "caf", client_id, secret, query(location(done))["code"]).get_json()["id_token"])
    assert claims["amr"] == ["swk", "user", "mfa"]


def test_a_login_answer_is_used_once(http, app, passkey_login):
    authenticator = registered(http, app)
    client_id, _ = make_client(app, first_party=True)
    browser = app.test_client()
    login_url = location(authorize(browser, "caf", client_id))
    page = browser.get(path_of(login_url)).get_data(as_text=True)
    interaction = path_of(login_url).rsplit("/", 1)[1]
    body = browser.post("/caf/passkeys/login/options", data={"csrf_token": csrf(page), "interaction": interaction}).get_json()
    form = {"csrf_token": csrf(page), "interaction": interaction, "handle": body["handle"],
            "credential": authenticator.get(body["publicKey"])}
    assert browser.post("/caf/passkeys/login", data=form).status_code == 303
    other = app.test_client()      # the same answer replayed, from another browser
    login_url = location(authorize(other, "caf", client_id))
    page = other.get(path_of(login_url)).get_data(as_text=True)
    replayed = other.post("/caf/passkeys/login", data={**form, "csrf_token": csrf(page),
                                                       "interaction": path_of(login_url).rsplit("/", 1)[1]})
    assert replayed.status_code == 400
    assert "Cette demande de clé d'accès a expiré ou a déjà servi. Recommencez." in page_text(replayed)


def test_a_login_for_another_origin_or_without_verification_is_refused(http, app, passkey_login):
    authenticator = registered(http, app)
    client_id, _ = make_client(app, first_party=True)
    browser = app.test_client()
    login_url = location(authorize(browser, "caf", client_id))
    wrong = passkey_login_at(browser, login_url, authenticator, origin="http://evil.example")
    assert wrong.status_code == 400 and "La clé d'accès n'a pas pu être vérifiée." in page_text(wrong)
    no_uv = passkey_login_at(browser, login_url, authenticator, uv=False)
    assert no_uv.status_code == 400
    other_rp = passkey_login_at(browser, login_url, authenticator, rp_id="evil.example")
    assert other_rp.status_code == 400


def test_a_counter_that_goes_back_is_refused(http, app, passkey_login, caplog):
    caplog.set_level(logging.INFO, "idp.audit")
    authenticator = registered(http, app)
    client_id, _ = make_client(app, first_party=True)
    browser = app.test_client()
    assert passkey_login_at(browser, location(authorize(browser, "caf", client_id)), authenticator, counter=5).status_code == 303
    clone = app.test_client()
    refused = passkey_login_at(clone, location(authorize(clone, "caf", client_id)), authenticator, counter=3)
    assert refused.status_code == 400
    assert "Cette clé d'accès semble avoir été copiée : elle est refusée." in page_text(refused)
    assert _rows(app)[0].sign_count == 5
    assert any('"reason": "counter_regression"' in r.message for r in caplog.records)


def test_an_unknown_passkey_is_refused(http, app, passkey_login):
    make_account(app)
    client_id, _ = make_client(app, first_party=True)
    stranger = SoftAuthenticator()
    stranger.user_handle = b"x"
    response = passkey_login_at(http, location(authorize(http, "caf", client_id)), stranger)
    assert response.status_code == 400
    assert "Cette clé d'accès n'est pas enregistrée pour ce compte." in page_text(response)


def test_passkey_failures_are_throttled(http, app, passkey_login, caplog):
    caplog.set_level(logging.INFO, "idp.audit")
    authenticator = registered(http, app)
    client_id, _ = make_client(app, first_party=True)
    threshold = app.config["IDP_SETTINGS"].login.max_failures
    browser = app.test_client()
    login_url = location(authorize(browser, "caf", client_id))
    for _ in range(threshold):
        assert passkey_login_at(browser, login_url, authenticator, uv=False).status_code == 400
    locked = passkey_login_at(browser, login_url, authenticator)       # right, but the account is locked
    assert locked.status_code == 429 and "Trop de tentatives. Réessayez dans" in page_text(locked)
    assert _rows(app)[0].sign_count == 0
    assert any('"event": "passkey.throttled"' in r.message for r in caplog.records)


def test_without_the_tenant_setting_there_is_no_passkey_login(http, app):
    make_account(app)
    client_id, _ = make_client(app, first_party=True)
    login_url = location(authorize(http, "caf", client_id))
    page = http.get(path_of(login_url)).get_data(as_text=True)
    assert "Se connecter avec une clé d'accès" not in page
    assert http.post("/caf/passkeys/login/options", data={"csrf_token": csrf(page)}).status_code == 404
    assert http.post("/caf/passkeys/login", data={"csrf_token": csrf(page)}).status_code == 404


@pytest.mark.parametrize("answer", ["", "[1]", '{"id": "a\\u0000b", "rawId": "YQ", "type": "public-key", "response": '
                                    '{"clientDataJSON": "e30", "authenticatorData": "AA", "signature": "AA"}}',
                                    '{"id": "YQ", "rawId": "YQ", "type": "public-key", "response": '
                                    '{"clientDataJSON": "e30", "authenticatorData": "AA", "signature": "AA"}}'])
def test_a_malformed_answer_is_a_refusal(http, app, passkey_login, answer):
    make_account(app)
    direct_login(http)
    page = http.get("/caf/account/passkeys").get_data(as_text=True)
    body = http.post("/caf/account/passkeys/options", data={"csrf_token": csrf(page)}).get_json()
    added = http.post("/caf/account/passkeys", data={"csrf_token": csrf(page), "handle": body["handle"],
                                                     "credential": answer, "name": "Clé"})
    assert added.status_code == 400 and "La clé d'accès n'a pas pu être vérifiée." in page_text(added)
    body = http.post("/caf/passkeys/login/options", data={"csrf_token": csrf(page)}).get_json()
    login = http.post("/caf/passkeys/login", data={"csrf_token": csrf(page), "handle": body["handle"], "credential": answer})
    said = ("Cette clé d'accès n'est pas enregistrée pour ce compte." if answer.startswith('{"id": "YQ"')
            else "La clé d'accès n'a pas pu être vérifiée.")
    assert login.status_code == 400 and said in page_text(login)


def test_deleting_the_account_deletes_its_passkeys(http, app):
    registered(http, app)
    page = http.get("/caf/account").get_data(as_text=True)
    done = http.post("/caf/account/delete", data={"csrf_token": csrf(page), "delete_password": ACCOUNTS["caf"][1]})
    assert "Votre compte a été supprimé" in done.get_data(as_text=True)
    assert _rows(app) == []


def test_passkey_logins_are_counted_in_the_metrics(http, app, passkey_login):
    """``idp_logins_total{method="passkey"}``: a success, and a refusal (another origin)."""
    from metrics_support import moved, scrape

    authenticator = registered(http, app)
    client_id, _ = make_client(app, first_party=True)
    browser = app.test_client()
    before = scrape(http)
    login_url = location(authorize(browser, "caf", client_id))
    assert passkey_login_at(browser, login_url, authenticator, origin="http://evil.example").status_code == 400
    assert passkey_login_at(browser, login_url, authenticator).status_code == 303
    after = scrape(http)
    assert moved(before, after, "idp_logins_total", tenant="caf", method="passkey", result="success") == 1
    assert moved(before, after, "idp_logins_total", tenant="caf", method="passkey", result="failure") == 1


def test_download_my_data_lists_passkeys_and_second_factors_without_secrets(http, app):
    """RGPD art. 15/20: the passkeys and TOTPs as the person sees them; no key, id or seed."""
    from idp.store.db import db, unscoped, utcnow
    from idp.store.models import Account, MfaFactor, PasskeyCredential

    registered(http, app)
    with app.app_context():
        account = db.session.execute(unscoped(Account, reason="test")).scalar_one()
        db.session.add(MfaFactor(tenant="caf", account_id=account.id, kind="totp", label="Mon application",
                                 secret_sealed=b"SEALED-SEED", confirmed_at=utcnow()))
        db.session.commit()
        credential = db.session.execute(unscoped(PasskeyCredential, reason="test")).scalar_one()
        credential_id, public_key = credential.credential_id, base64.urlsafe_b64encode(credential.public_key).decode()
    response = http.get("/caf/account/export")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    data = json.loads(text)
    [passkey] = data["passkeys"]
    assert passkey["name"] == "Téléphone" and passkey["created_at"] and set(passkey) == {
        "name", "created_at", "last_used_at", "transports"}
    [factor] = data["second_factors"]
    assert factor["kind"] == "totp" and factor["label"] == "Mon application" and factor["confirmed_at"]
    assert credential_id not in text and public_key.rstrip("=")[:40] not in text and "SEALED" not in text
