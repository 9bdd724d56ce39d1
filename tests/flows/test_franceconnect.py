"""FranceConnect from the citizen's side, against the development stand-in over real HTTP:
a new person (account created pre-filled), a returning person (logged in at once), a
matching local account (linked after a local login), logout that ends FranceConnect's
session too, and the failures that end on a French page with nothing created."""

from __future__ import annotations

import json
import logging
import re

import pytest
import requests
from joserfc import jwt

from franceconnect_support import CNI, franceconnect_for, through_franceconnect
from franceconnect_support import create_account as _create_account, finish_at_rp as _finish_at_rp
from franceconnect_support import rows as _rows, start_from_rp as _start_from_rp
from helpers import POST_LOGOUT, csrf, location, make_account, make_client, page_text, path_of, query
from messages_support import last_message

ELODIE_NIR = "2840375107012"      # female, born 1984-03 in Paris (75) as the stand-in's Élodie
JEAN_NOEL_NIR = "1721169123045"   # male, born 1972-11 in Lyon (69)


@pytest.fixture
def standin(app):
    with franceconnect_for(app) as running:
        yield running


def test_new_person_gets_an_account_prefilled_from_the_identite_pivot(http, app, standin):
    from idp.store.models import Account, FederatedIdentity

    client_id, secret = make_client(app, "caf", first_party=True)
    verifier, fc_url = _start_from_rp(http, "caf", client_id)
    back = through_franceconnect(http, fc_url, "elodie")
    sent = standin.state.authorize_requests[-1]
    assert sent["acr_values"] == "eidas1" and len(sent["state"]) >= 32 and len(sent["nonce"]) >= 32
    assert set(sent["scope"].split()) >= {"openid", "identite_pivot", "email"}
    assert sent["redirect_uri"] == "http://idp.test/caf/franceconnect/callback"

    html, created = _create_account(http, "caf", back, identifier=ELODIE_NIR)
    # the identité pivot is shown, read-only (no input carries it)
    assert "LEFÈVRE" in html and "Élodie Marie-Hélène Françoise" in html and "17 mars 1984" in html
    assert "Paris 7E Arrondissement (75107)" in html or "(75107)" in html
    assert 'name="family_name"' not in html and 'name="birthdate"' not in html
    assert 'value="elodie.lefevre@exemple.fr"' in html

    claims, tokens = _finish_at_rp(http, app, "caf", client_id, secret, verifier, created)
    assert "fc" in claims["amr"] and claims["acr"] == "eidas1"
    [account] = _rows(app, Account, tenant="caf")
    assert (account.family_name, account.given_name, account.birthdate) == (
        "LEFÈVRE", "Élodie Marie-Hélène Françoise", "1984-03-17")
    assert account.profile["gender"] == "female" and account.profile["birthplace"] == "75107"
    assert account.profile["birthcountry"] == "99100" and account.profile["usage_name"] == "GARNIER"
    assert account.profile["pivot_locked"] and account.profile["consents"]["cgu"]["version"]
    assert account.password_hash is None and account.email_verified
    assert claims["sub"] == account.id
    [link] = _rows(app, FederatedIdentity, tenant="caf")
    assert link.account_id == account.id and link.subject.endswith("v1")
    userinfo = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert userinfo["family_name"] == "LEFÈVRE" and userinfo["birthdate"] == "1984-03-17"


def test_the_nir_must_agree_with_the_identite_pivot(http, app, standin):
    from idp.store.models import Account

    client_id, _ = make_client(app, "caf", first_party=True)
    _, fc_url = _start_from_rp(http, "caf", client_id)
    # 1 = a man: not Élodie's number
    _, refused = _create_account(http, "caf", through_franceconnect(http, fc_url, "elodie"),
                                 identifier="1840375107012")
    assert refused.status_code == 400
    assert "ne correspond pas au sexe transmis par FranceConnect" in page_text(refused)
    assert _rows(app, Account, tenant="caf") == []
    missing = http.post("/caf/franceconnect/complete", data={"csrf_token": csrf(page_text(refused)),
                                                             "identifier": ELODIE_NIR, "email": ""})
    text = page_text(missing)
    assert "Vous devez accepter les conditions générales" in text and "Ce champ est obligatoire." in text
    assert _rows(app, Account, tenant="caf") == []


def test_returning_person_is_logged_in_at_once(http, app, standin):
    client_id, secret = make_client(app, "caf", first_party=True)
    _, fc_url = _start_from_rp(http, "caf", client_id)
    _create_account(http, "caf", through_franceconnect(http, fc_url, "elodie"), identifier=ELODIE_NIR)
    http.cookie_jar.clear() if hasattr(http, "cookie_jar") else None

    second = app.test_client()
    verifier, fc_url = _start_from_rp(second, "caf", client_id)
    back = through_franceconnect(second, fc_url, "elodie")
    assert "/franceconnect/" not in location(back)          # no page in between
    claims, _ = _finish_at_rp(second, app, "caf", client_id, secret, verifier, back)
    assert "fc" in claims["amr"]


def test_matching_local_account_is_linked_after_a_local_login(http, app, standin):
    from idp.store.models import Account, FederatedIdentity

    account_id = make_account(app, "caf", identifier=JEAN_NOEL_NIR, given_name="Jean-Noël",
                              family_name="Béranger", birthdate="1972-11-05", email="jn@example.fr")
    client_id, secret = make_client(app, "caf", first_party=True)
    verifier, fc_url = _start_from_rp(http, "caf", client_id)
    back = through_franceconnect(http, fc_url, "jean-noel")
    assert location(back).endswith("/caf/franceconnect/link")
    page = page_text(http.get("/caf/franceconnect/link"))
    assert "Vous avez déjà un compte" in page and "BÉRANGER" in page
    wrong = http.post("/caf/franceconnect/link", data={"csrf_token": csrf(page), "identifier": JEAN_NOEL_NIR,
                                                      "password": "pas-le-bon"})
    assert wrong.status_code == 400 and _rows(app, FederatedIdentity, tenant="caf") == []
    # the login page's error pattern: "Erreur – " title, the summary, the pair's fieldset
    refused = page_text(wrong)
    assert "<title>Erreur – " in refused and 'id="error-summary"' in refused
    assert '<p class="fr-message fr-message--error" id="credentials-error">Identifiant ou mot de passe incorrect.</p>' \
        in refused
    linked = http.post("/caf/franceconnect/link", data={"csrf_token": csrf(page), "identifier": JEAN_NOEL_NIR,
                                                       "password": "Allocation2024"})
    claims, _ = _finish_at_rp(http, app, "caf", client_id, secret, verifier, linked)
    assert claims["sub"] == account_id and {"fc", "pwd"} <= set(claims["amr"])
    [link] = _rows(app, FederatedIdentity, tenant="caf")
    assert link.account_id == account_id
    assert len(_rows(app, Account, tenant="caf")) == 1


def test_logout_ends_the_franceconnect_session_and_comes_back(http, app, standin):
    client_id, secret = make_client(app, "caf", first_party=True)
    verifier, fc_url = _start_from_rp(http, "caf", client_id)
    _, created = _create_account(http, "caf", through_franceconnect(http, fc_url, "elodie"), identifier=ELODIE_NIR)
    _, tokens = _finish_at_rp(http, app, "caf", client_id, secret, verifier, created)

    out = http.get(f"/caf/logout?id_token_hint={tokens['id_token']}&post_logout_redirect_uri={POST_LOGOUT}"
                   f"&state=rp-state")
    to_fc = location(out)
    assert to_fc.startswith(standin.issuer + "/session/end")
    assert query(to_fc)["post_logout_redirect_uri"] == "http://idp.test/caf/franceconnect/logout-callback"
    fc_back = requests.get(to_fc, allow_redirects=False, timeout=10)
    assert fc_back.status_code in (302, 303)
    assert standin.state.logouts
    ended = standin.state.logouts[-1]
    ended = ended if isinstance(ended, dict) else vars(ended)
    assert ended["client_id"] == app.config["IDP_SETTINGS"].providers.franceconnect.client_id
    final = http.get(path_of(fc_back.headers["Location"]))
    assert location(final) == f"{POST_LOGOUT}?state=rp-state"
    assert location(http.get("/caf/account")).endswith("/caf/login")     # the local session is gone too


def test_email_changed_at_signup_is_confirmed_by_a_code(http, app, standin):
    from idp.store.models import Account

    client_id, secret = make_client(app, "mairie", first_party=True)
    verifier, fc_url = _start_from_rp(http, "mairie", client_id)
    html, sent = _create_account(http, "mairie", through_franceconnect(http, fc_url, "ines"),
                                 email="ines.autre@example.fr")
    proposed = re.search(r'id="identifier" name="identifier" type="text" value="([^"]*)"', html).group(1)
    assert proposed.startswith("ines.")
    assert sent.status_code == 200 and "Un code de confirmation a été envoyé" in page_text(sent)
    assert _rows(app, Account, tenant="mairie") == []
    code = re.search(r"\b(\d{6})\b", last_message(app, "email", "ines.autre@example.fr")["text"]).group(1)
    confirmed = http.post("/mairie/franceconnect/complete", data={
        "csrf_token": csrf(page_text(sent)), "identifier": proposed, "email": "ines.autre@example.fr",
        "code": code, "cgu": "on"})
    _finish_at_rp(http, app, "mairie", client_id, secret, verifier, confirmed)
    [account] = _rows(app, Account, tenant="mairie")
    assert account.email == "ines.autre@example.fr" and account.profile["birthcountry"] == "99134"
    assert "birthplace" not in account.profile


def test_account_created_through_franceconnect_can_add_a_password(http, app, standin):
    from idp.store.models import Account

    client_id, _ = make_client(app, "mairie", first_party=True)
    _, fc_url = _start_from_rp(http, "mairie", client_id)
    html, created = _create_account(http, "mairie", through_franceconnect(http, fc_url, "ines"))
    identifier = re.search(r'id="identifier" name="identifier" type="text" value="([^"]*)"', html).group(1)
    http.post("/mairie/franceconnect/complete", data={"csrf_token": csrf(html), "identifier": identifier,
                                                       "email": "ines.fernandez@exemple.fr", "cgu": "on"})
    page = page_text(http.get("/mairie/account"))
    assert "Ajouter un mot de passe" in page and "Mot de passe actuel" not in page
    weak = http.post("/mairie/account/password", data={"csrf_token": csrf(page), "new_password": "a",
                                                        "new_password_repeat": "a"})
    assert weak.status_code == 400                       # the tenant's password policy still applies
    [account] = _rows(app, Account, tenant="mairie")
    assert account.password_hash is None
    added = http.post("/mairie/account/password", data={"csrf_token": csrf(page), "new_password": "Ines-Mairie-2026",
                                                         "new_password_repeat": "Ines-Mairie-2026"})
    assert location(added).endswith("done=password")
    [account] = _rows(app, Account, tenant="mairie")
    assert account.password_hash
    fresh = app.test_client()
    login = page_text(fresh.get("/mairie/login"))
    logged = fresh.post("/mairie/login", data={"csrf_token": csrf(login), "identifier": identifier,
                                              "password": "Ines-Mairie-2026"})
    assert location(logged).endswith("/mairie/account")


# -- failures: a French page, a retry button, an audit event, nothing created ---------------

def _audit_events(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "idp.audit"]


def test_refusal_at_franceconnect_ends_on_a_retry_page(http, app, standin, caplog):
    from idp.store.models import Account, FederatedIdentity

    caplog.set_level(logging.INFO, logger="idp.audit")
    client_id, _ = make_client(app, "caf", first_party=True)
    _, fc_url = _start_from_rp(http, "caf", client_id)
    page = through_franceconnect(http, fc_url, "", refuse=True)
    text = page_text(page)
    assert page.status_code == 400 and "Vous avez annulé la connexion avec FranceConnect." in text
    assert "Réessayer avec FranceConnect" in text and 'name="interaction"' in text
    assert _rows(app, Account, tenant="caf") == [] and _rows(app, FederatedIdentity) == []
    assert any(e["event"] == "franceconnect.login" and e["outcome"] == "failure" and e["reason"] == "access_denied"
               for e in _audit_events(caplog))


def test_forged_state_is_refused(http, app, standin, caplog):
    caplog.set_level(logging.INFO, logger="idp.audit")
    client_id, _ = make_client(app, "caf", first_party=True)
    _, fc_url = _start_from_rp(http, "caf", client_id)
    browser = requests.Session()
    from devtools.fc_standin.server import choose_identity

    back = choose_identity(browser, browser.get(fc_url, timeout=10), "elodie")
    forged = back.headers["Location"].replace("state=", "state=x")
    page = http.get(path_of(forged))
    assert page.status_code == 400 and "ne vient pas de ce navigateur" in page_text(page)
    assert any(e.get("reason") == "state_mismatch" for e in _audit_events(caplog))
    # the pending request was single use: the genuine answer, afterwards, is refused too
    again = http.get(path_of(back.headers["Location"]))
    assert again.status_code == 400 and "ne vient pas de ce navigateur" in page_text(again)
    # a callback without any pending request (replayed, or another browser)
    replay = app.test_client().get(path_of(back.headers["Location"]))
    assert replay.status_code == 400


def test_pkce_verifier_and_nonce_never_reach_the_browser(http, app, standin):
    """They stay server-side, sealed (RFC 7636 §7.1); the browser holds a random handle."""
    from idp.federation import state

    client_id, _ = make_client(app, "caf", first_party=True)
    _, fc_url = _start_from_rp(http, "caf", client_id)
    sent = query(fc_url)
    handle = http.get_cookie(state.REDIRECT.cookie, path="/caf/")
    assert handle is not None and sent["nonce"] not in handle.value and sent["state"] not in handle.value
    flask_session = http.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if flask_session is not None:   # signed, not encrypted: it must not hold them either
        data = app.session_interface.get_signing_serializer(app).loads(flask_session.value)
        assert sent["nonce"] not in json.dumps(data) and sent["state"] not in json.dumps(data)

def test_franceconnect_down_is_a_clear_page(http, app, caplog):
    from dataclasses import replace

    from idp.federation import provider
    from providers.franceconnect import FranceConnect

    caplog.set_level(logging.INFO, logger="idp.audit")
    with app.test_request_context():
        config = provider._config("caf")
    app.extensions.setdefault("idp_franceconnect", {})["caf"] = FranceConnect(
        replace(config, discovery_url="http://127.0.0.1:9/api/v2/.well-known/openid-configuration", timeout=1))
    try:
        page = page_text(http.get("/caf/login"))
        response = http.post("/caf/franceconnect/start", data={"csrf_token": csrf(page)})
        assert response.status_code == 502
        assert "FranceConnect ne répond pas pour le moment" in page_text(response)
        assert any(e.get("reason") == "upstream_unavailable" for e in _audit_events(caplog))
    finally:
        app.extensions["idp_franceconnect"].clear()


def test_franceconnect_pages_are_absent_where_not_enabled(http, app, monkeypatch):
    from dataclasses import replace

    tenant = app.extensions["idp_tenants"]["caf"]
    disabled = replace(tenant, config=tenant.config.model_copy(update={"franceconnect": False}))
    monkeypatch.setitem(app.extensions["idp_tenants"], "caf", disabled)
    assert "FranceConnect" not in page_text(http.get("/caf/login"))
    assert http.post("/caf/franceconnect/start").status_code in (400, 404)
    assert http.get("/caf/franceconnect/callback?code=x&state=y").status_code == 404


# -- what the review of the linking rules asked for -----------------------------------------

@pytest.mark.parametrize("nir, pivot, problem", [
    ("2840375107012", {"gender": "female", "birthdate": "1984-03-17", "birthplace": "75107", "birthcountry": "99100"}, None),
    ("2840375108012", {"gender": "female", "birthdate": "1984-03-17", "birthplace": "75107", "birthcountry": "99100"}, "lieu"),
    ("2840375107012", {"gender": "female", "birthdate": "1984-03-17", "birthplace": "75056", "birthcountry": "99100"}, None),
    ("1721169385045", {"gender": "male", "birthdate": "1972-11-05", "birthplace": "69123", "birthcountry": "99100"}, None),
    ("1580120004012", {"gender": "male", "birthdate": "1958-01-01", "birthplace": "2A004", "birthcountry": "99100"}, None),
    ("1580120005012", {"gender": "male", "birthdate": "1958-01-01", "birthplace": "2A004", "birthcountry": "99100"}, "lieu"),
    ("2910799134012", {"gender": "female", "birthdate": "1991-07-28", "birthplace": "", "birthcountry": "99134"}, None),
    ("2910799109012", {"gender": "female", "birthdate": "1991-07-28", "birthplace": "", "birthcountry": "99134"}, "lieu"),
    ("2910775107012", {"gender": "female", "birthdate": "1991-07-28", "birthplace": "", "birthcountry": "99134"}, "lieu"),
    ("1550391352012", {"gender": "male", "birthdate": "1955-03-02", "birthplace": "", "birthcountry": "99352"}, None),
    ("1840375107012", {"gender": "female", "birthdate": "1984-03-17", "birthplace": "75107", "birthcountry": "99100"}, "sexe"),
    ("2850375107012", {"gender": "female", "birthdate": "1984-03-17", "birthplace": "75107", "birthcountry": "99100"}, "année"),
    ("2840475107012", {"gender": "female", "birthdate": "1984-03-17", "birthplace": "75107", "birthcountry": "99100"}, "mois"),
    ("2840375107012", {"gender": "female", "birthdate": "1984-00-00", "birthplace": "75107", "birthcountry": "99100"}, None),
    # born abroad, overseas or in a former territory: the country is compared too
    ("2910799134012", {"gender": "female", "birthdate": "1991-07-28", "birthplace": "75107", "birthcountry": "99100"}, "lieu"),
    ("1550391352012", {"gender": "male", "birthdate": "1955-03-02", "birthplace": "", "birthcountry": "99134"}, "lieu"),
    ("1550396352012", {"gender": "male", "birthdate": "1955-03-02", "birthplace": "", "birthcountry": "99351"}, None),
    ("1800397411012", {"gender": "male", "birthdate": "1980-03-01", "birthplace": "97411", "birthcountry": "99100"}, None),
    ("1800397411012", {"gender": "male", "birthdate": "1980-03-01", "birthplace": "97415", "birthcountry": "99100"}, "lieu"),
    ("1800397411012", {"gender": "male", "birthdate": "1980-03-01", "birthplace": "", "birthcountry": "99134"}, "lieu"),
    ("2910799990012", {"gender": "female", "birthdate": "1991-07-28", "birthplace": "", "birthcountry": "99134"}, None),
    # a whole city (75056, 69123, 13055) against a birth elsewhere (was a KeyError, a 500)
    ("1910775056012", {"gender": "male", "birthdate": "1991-07-05", "birthplace": "13055", "birthcountry": "99100"}, "lieu"),
    ("1910713055012", {"gender": "male", "birthdate": "1991-07-05", "birthplace": "75107", "birthcountry": "99100"}, "lieu"),
    ("1910769123012", {"gender": "male", "birthdate": "1991-07-05", "birthplace": "33063", "birthcountry": "99100"}, "lieu"),
    ("1910713207012", {"gender": "male", "birthdate": "1991-07-05", "birthplace": "13055", "birthcountry": "99100"}, None),
])
def test_nir_is_compared_with_the_whole_identite_pivot(app, nir, pivot, problem):
    """Sex, year, month and commune of birth (Corsica's 20 = 2A/2B, a city = its
    arrondissements), or the country when born abroad, overseas or in Algeria, Morocco or
    Tunisia before their independence."""
    from flask import g

    from idp.federation.checks import nir_disagrees

    with app.test_request_context("/caf/franceconnect/complete"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        message = nir_disagrees(nir, pivot)
    assert (message is None) == (problem is None), message
    if problem:
        assert problem in str(message)


def test_no_franceconnect_button_when_franceconnect_sent_the_person(http, app):
    """This tenant as FranceConnect's identity provider: going back to FranceConnect would loop."""
    from idp.clients.admin import create_client

    with app.app_context():
        row, _ = create_client("ameli", name="FranceConnect", profile="franceconnect",
                               franceconnect_host="fc.example.fr")
        client_id, redirect_uri = row.client_id, row.redirect_uris[0]
    login_url = location(http.get(f"/ameli/authorize?response_type=code&client_id={client_id}&scope=openid"
                                  f"&redirect_uri={redirect_uri}&state={'s' * 32}&nonce={'n' * 32}"
                                  f"&acr_values=eidas1&prompt=login"))
    page = page_text(http.get(path_of(login_url)))
    assert "Se connecter" in page and "S’identifier avec" not in page
    handle = path_of(login_url).rsplit("/", 1)[1]
    refused = http.post("/ameli/franceconnect/start", data={"csrf_token": csrf(page), "interaction": handle})
    assert refused.status_code == 400 and "Vous venez de FranceConnect" in page_text(refused)
    assert "Réessayer avec FranceConnect" not in page_text(refused)


def test_not_my_account_goes_on_to_a_new_one(http, app, standin):
    from idp.store.models import Account, FederatedIdentity

    make_account(app, "caf", identifier=JEAN_NOEL_NIR, given_name="Jean-Noël", family_name="Béranger",
                 birthdate="1972-11-05")
    client_id, _ = make_client(app, "caf", first_party=True)
    _, fc_url = _start_from_rp(http, "caf", client_id)
    assert location(through_franceconnect(http, fc_url, "jean-noel")).endswith("/caf/franceconnect/link")
    # the link step cannot be skipped by opening the account-creation page
    assert location(http.get("/caf/franceconnect/complete")).endswith("/caf/franceconnect/link")
    page = page_text(http.get("/caf/franceconnect/link"))
    declined = http.post("/caf/franceconnect/link", data={"csrf_token": csrf(page), "action": "not_mine"})
    assert location(declined).endswith("/caf/franceconnect/complete")
    form = page_text(http.get("/caf/franceconnect/complete"))
    taken = http.post("/caf/franceconnect/complete", data={"csrf_token": csrf(form), "identifier": JEAN_NOEL_NIR,
                                                           "email": "jn.beranger@exemple.fr", "cgu": "on",
                                                           "document_kind": "cni", "document_number": CNI})
    assert taken.status_code == 400 and "Un compte existe déjà avec ce numéro" in page_text(taken)
    assert _rows(app, FederatedIdentity) == [] and len(_rows(app, Account, tenant="caf")) == 1


def test_an_existing_nir_with_another_identity_is_not_offered_for_linking(http, app, standin):
    """Typing someone else's NIR (same sex, month and commune of birth) never leads to a
    password prompt for their account: their names and birthdate differ from the pivot."""
    from idp.store.models import FederatedIdentity

    make_account(app, "caf", identifier=ELODIE_NIR, given_name="Sophie", family_name="Lefèvre",
                 birthdate="1984-03-02")
    client_id, _ = make_client(app, "caf", first_party=True)
    _, fc_url = _start_from_rp(http, "caf", client_id)
    _, attempt = _create_account(http, "caf", through_franceconnect(http, fc_url, "elodie"), identifier=ELODIE_NIR)
    assert attempt.status_code == 400 and "Un compte existe déjà avec ce numéro" in page_text(attempt)
    assert _rows(app, FederatedIdentity) == []


# -- FranceConnect's answers going wrong, at the IdP's pages (requests-mock at the HTTP
# boundary, in front of the stand-in) ------------------------------------------------------

def _token_answer(standin, client_id, case):
    import time

    from joserfc.jwk import ECKey

    sent = standin.state.authorize_requests[-1]
    now = int(time.time())
    claims = {"iss": standin.issuer, "aud": client_id, "sub": "b" * 64 + "v1", "iat": now, "exp": now + 60,
              "auth_time": now, "nonce": sent["nonce"], "acr": "eidas1"}
    key = standin.state.signing_key
    if case == "bad_signature":
        other = ECKey.generate_key("P-256", parameters={"kid": key.kid})
        token = jwt.encode({"alg": "ES256", "kid": key.kid}, claims, other)
        return {"json": {"access_token": "a", "token_type": "Bearer", "expires_in": 60, "id_token": token}}
    if case == "nonce_mismatch":
        claims["nonce"] = "x" * 43
    if case == "expired":
        claims.update(iat=now - 600, exp=now - 300)
    if case == "acr_too_low":
        del claims["acr"]
    if case == "token_5xx":
        return {"status_code": 502, "text": "Bad Gateway"}
    if case == "token_timeout":
        return {"exc": requests.exceptions.ConnectTimeout}
    return {"json": {"access_token": "a", "token_type": "Bearer", "expires_in": 60, "id_token": key.sign(claims)}}


@pytest.mark.parametrize("case, status, message", [
    ("bad_signature", 400, "n'a pas pu être vérifiée"),
    ("nonce_mismatch", 400, "n'a pas pu être vérifiée"),
    ("expired", 400, "n'a pas pu être vérifiée"),
    ("acr_too_low", 400, "niveau de garantie"),
    ("userinfo_not_jwt", 400, "n'a pas pu être vérifiée"),
    ("token_5xx", 502, "ne répond pas pour le moment"),
    ("token_timeout", 502, "ne répond pas pour le moment"),
])
def test_franceconnect_answer_failures_end_on_a_french_page(http, app, standin, caplog, case, status, message):
    import requests_mock

    from idp.store.models import Account, FederatedIdentity

    caplog.set_level(logging.INFO, logger="idp.audit")
    client_id, _ = make_client(app, "caf", first_party=True)
    _, fc_url = _start_from_rp(http, "caf", client_id)
    browser = requests.Session()
    from devtools.fc_standin.server import choose_identity

    back = choose_identity(browser, browser.get(fc_url, timeout=10), "elodie")
    fc_client_id = app.config["IDP_SETTINGS"].providers.franceconnect.client_id
    with requests_mock.Mocker(real_http=True) as mock:
        mock.post(f"{standin.issuer}/token", **_token_answer(standin, fc_client_id, case))
        if case == "userinfo_not_jwt":
            mock.get(f"{standin.issuer}/userinfo", json={"sub": "b" * 64 + "v1", "given_name": "Élodie"})
        page = http.get(path_of(back.headers["Location"]))
    text = page_text(page)
    assert page.status_code == status and message in text, text[:400]
    assert "Réessayer avec FranceConnect" in text
    failures = [e for e in _audit_events(caplog) if e["event"] == "franceconnect.login" and e["outcome"] == "failure"]
    assert failures and all("eyJ" not in json.dumps(e) for e in failures)      # no token in the audit
    assert _rows(app, Account, tenant="caf") == [] and _rows(app, FederatedIdentity) == []


PIERRE = {"login": "pierre", "given_name": "Pierre Jean", "family_name": "MARTIN", "preferred_username": "",
          "birthdate": "1985-02-14", "gender": "male", "birthplace": "33063", "birthcountry": "99100",
          "email": "pierre.martin@exemple.fr"}


def test_ameli_checks_the_nir_in_the_reference_directory(http, app):
    """On ameli the NIR must also be a beneficiary's of the same birth name and birthdate
    (the embedded demo directory knows Pierre Martin, not Élodie Lefèvre)."""
    from devtools.fc_standin.identities import load_identities

    from idp.store.models import Account

    assert PIERRE in load_identities()          # `make run` offers him too
    with franceconnect_for(app):
        client_id, secret = make_client(app, "ameli", first_party=True)
        _, fc_url = _start_from_rp(http, "ameli", client_id)
        _, refused = _create_account(http, "ameli", through_franceconnect(http, fc_url, "elodie"),
                                     identifier=ELODIE_NIR)
        assert refused.status_code == 400 and "ne correspond à aucun assuré" in page_text(refused)
        assert _rows(app, Account, tenant="ameli") == []

        other = app.test_client()
        verifier, fc_url = _start_from_rp(other, "ameli", client_id)
        _, created = _create_account(other, "ameli", through_franceconnect(other, fc_url, "pierre"),
                                     identifier="1850233063042")
        claims, _ = _finish_at_rp(other, app, "ameli", client_id, secret, verifier, created)
        assert "fc" in claims["amr"]
    [account] = _rows(app, Account, tenant="ameli")
    assert account.family_name == "MARTIN"


def test_the_pivot_birthdate_is_written_in_french():
    """As every page writes a date (formats.long_date); a presumed day or month ("00") is
    left out, not shown as an impossible date."""
    from idp.federation.views import french_date

    assert french_date("1984-03-12") == "12 mars 1984"
    assert french_date("1984-05-01") == "1er mai 1984"
    assert french_date("1984-03-00") == "mars 1984"
    assert french_date("1984-00-00") == "1984"
    assert french_date("1984-13-01") == "1984-13-01"
