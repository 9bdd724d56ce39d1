"""Authorization endpoint: refusals (page or redirect), prompt, max_age, id_token_hint,
consent, response modes, POST."""

from __future__ import annotations

import json
import time

from helpers import (REDIRECT, authorize, code_tokens, csrf, location, login_flow, make_account,
                     make_client, path_of, query, submit_consent, submit_login)


def test_unknown_client_gets_error_page_not_redirect(http, app):
    response = authorize(http, "caf", "nobody")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "invalid_client" in html and "Location" not in response.headers


def test_unregistered_redirect_uri_gets_error_page(http, app):
    client_id, _ = make_client(app)
    for uri in ("https://rp.example/cb/extra", "https://rp.example/c", "http://rp.example/cb",
                "https://rp.example:8443/cb", "https://evil.example/cb", "https://rp.example/cb?x=1"):
        response = authorize(http, "caf", client_id, redirect_uri=uri)
        assert response.status_code == 400, uri
        assert "Location" not in response.headers
        assert "invalid_request" in response.get_data(as_text=True)


def test_missing_redirect_uri_with_single_registered_uses_it(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    url = login_flow(http, "caf", client_id, redirect_uri=None)
    assert url.startswith(REDIRECT + "?")


def test_missing_response_type_redirects_error_with_iss(http, app):
    client_id, _ = make_client(app)
    params = query(location(authorize(http, "caf", client_id, response_type=None)))
    assert params["error"] == "unsupported_response_type"
    assert params["state"] == "st4te" and params["iss"] == "http://idp.test/caf"


def test_implicit_and_hybrid_response_types_refused(http, app):
    client_id, _ = make_client(app)
    for response_type in ("token", "id_token", "code id_token", "code token"):
        params = query(location(authorize(http, "caf", client_id, response_type=response_type)))
        assert params["error"] == "unsupported_response_type", response_type


def test_request_objects_refused_explicitly(http, app):
    client_id, _ = make_client(app)
    params = query(location(authorize(http, "caf", client_id, request="eyJhbGciOiJub25lIn0.e30.")))
    assert params["error"] == "request_not_supported"
    params = query(location(authorize(http, "caf", client_id, request_uri="https://rp.example/req")))
    assert params["error"] == "request_uri_not_supported"


def test_unknown_response_mode_refused(http, app):
    client_id, _ = make_client(app)
    params = query(location(authorize(http, "caf", client_id, response_mode="fragment")))
    assert params["error"] == "invalid_request"


def test_prompt_none_without_session_is_login_required(http, app):
    client_id, _ = make_client(app)
    params = query(location(authorize(http, "caf", client_id, prompt="none")))
    assert params["error"] == "login_required" and params["state"] == "st4te"


def test_prompt_none_combined_is_invalid(http, app):
    client_id, _ = make_client(app)
    params = query(location(authorize(http, "caf", client_id, prompt="none login")))
    assert params["error"] == "invalid_request"


def test_sso_session_gives_code_without_login(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_flow(http, "caf", client_id)
    again = location(authorize(http, "caf", client_id, prompt="none"))
    assert query(again)["code"]


def test_prompt_login_forces_login(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_flow(http, "caf", client_id)
    url = location(authorize(http, "caf", client_id, prompt="login"))
    assert "/caf/interaction/" in url


def test_max_age_forces_login_when_session_older(http, app, monkeypatch):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_flow(http, "caf", client_id)
    assert query(location(authorize(http, "caf", client_id, max_age="10000")))["code"]
    real = time.time
    monkeypatch.setattr("idp.oidc.authorize.time.time", lambda: real() + 5)
    url = location(authorize(http, "caf", client_id, max_age="1"))
    assert "/caf/interaction/" in url
    params = query(location(authorize(http, "caf", client_id, max_age="1", prompt="none")))
    assert params["error"] == "login_required"


def test_max_age_login_then_auth_time_fresh(http, app):
    from joserfc import jwt

    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    url = login_flow(http, "caf", client_id, max_age="1")
    from helpers import exchange

    tokens = exchange(http, "caf", client_id, secret, query(url)["code"]).get_json()
    claims = jwt.decode(tokens["id_token"], _keys(http)).claims
    assert abs(claims["auth_time"] - time.time()) < 30


def _keys(http):
    from joserfc.jwk import KeySet

    return KeySet.import_key_set(http.get("/caf/jwks.json").get_json())


def test_id_token_hint_of_other_user_requires_login(http, app):
    client_id, secret, tokens = code_tokens(http, app)
    hint = tokens["id_token"]
    assert query(location(authorize(http, "caf", client_id, prompt="none", id_token_hint=hint)))["code"]
    make_account(app, identifier="2840312345678", email="autre@example.fr")
    other = app.test_client()
    url = login_flow(other, "caf", client_id, identifier="2840312345678", password="Allocation2024")
    params = query(location(authorize(other, "caf", client_id, prompt="none", id_token_hint=hint)))
    assert params["error"] == "login_required"


def test_forged_id_token_hint_refused(http, app):
    client_id, _ = make_client(app)
    params = query(location(authorize(http, "caf", client_id, id_token_hint="e30.e30.c2ln")))
    assert params["error"] == "invalid_request"


def test_login_hint_prefills_identifier(http, app):
    client_id, _ = make_client(app)
    url = location(authorize(http, "caf", client_id, login_hint="1840312345678"))
    assert 'value="1840312345678"' in http.get(path_of(url)).get_data(as_text=True)


def test_unknown_parameters_ui_locales_acr_values_are_accepted(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    url = login_flow(http, "caf", client_id, foo="bar", ui_locales="fr-FR en", claims_locales="fr",
                     acr_values="eidas1", display="popup")
    assert query(url)["code"]


def test_consent_is_asked_then_remembered(http, app):
    client_id, _ = make_client(app, first_party=False)
    make_account(app)
    url = location(authorize(http, "caf", client_id, scope="openid email"))
    url = location(submit_login(http, url, "1840312345678", "Allocation2024"))   # straight to consent
    assert url.endswith("/consent")
    page = http.get(path_of(url)).get_data(as_text=True)
    assert "Votre adresse électronique" in page
    url = location(http.get(path_of(location(submit_consent(http, url)))))
    assert query(url)["code"]
    assert query(location(authorize(http, "caf", client_id, scope="openid email", prompt="none")))["code"]
    # a wider scope asks again; prompt=none then answers consent_required
    params = query(location(authorize(http, "caf", client_id, scope="openid email phone", prompt="none")))
    assert params["error"] == "consent_required"


def test_consent_refused_is_access_denied(http, app):
    client_id, _ = make_client(app, first_party=False)
    make_account(app)
    url = location(authorize(http, "caf", client_id))
    url = location(submit_login(http, url, "1840312345678", "Allocation2024"))
    params = query(location(submit_consent(http, url, decision="deny")))
    assert params["error"] == "access_denied" and params["state"] == "st4te"
    assert params["iss"] == "http://idp.test/caf"


def test_prompt_consent_asks_even_when_granted(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_flow(http, "caf", client_id)
    assert location(authorize(http, "caf", client_id, prompt="consent")).endswith("/consent")


def test_form_post_response_mode(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_flow(http, "caf", client_id)
    response = authorize(http, "caf", client_id, response_mode="form_post")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'action="{REDIRECT}"' in html
    assert 'name="code"' in html and 'name="state" value="st4te"' in html
    assert 'name="iss" value="http://idp.test/caf"' in html
    assert "form-action https://rp.example" in response.headers["Content-Security-Policy"]


def test_authorize_accepts_post(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_flow(http, "caf", client_id)
    response = authorize(http, "caf", client_id, method="POST", prompt="none")
    assert query(location(response))["code"]


def test_duplicate_parameters_refused(http, app):
    client_id, _ = make_client(app)
    response = http.get(f"/caf/authorize?response_type=code&client_id={client_id}&redirect_uri={REDIRECT}"
                        "&scope=openid&state=a&state=b")
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert query(location(response))["error"] == "invalid_request"


def test_interaction_bound_to_browser(http, app):
    client_id, _ = make_client(app)
    url = location(authorize(http, "caf", client_id))
    stranger = app.test_client()
    response = stranger.get(path_of(url))
    assert response.status_code == 400
    assert "Cette demande de connexion a expiré" in response.get_data(as_text=True)


def test_login_form_requires_csrf_token(http, app):
    client_id, _ = make_client(app)
    make_account(app)
    url = location(authorize(http, "caf", client_id))
    response = http.post(path_of(url), data={"identifier": "1840312345678", "password": "Allocation2024"})
    assert response.status_code == 400


def test_claims_parameter_essential_claims(http, app):
    from helpers import exchange
    from joserfc import jwt

    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    claims = {"id_token": {"email": {"essential": True}}, "userinfo": {"birthdate": {"essential": True}}}
    url = login_flow(http, "caf", client_id, claims=json.dumps(claims))
    tokens = exchange(http, "caf", client_id, secret, query(url)["code"]).get_json()
    id_claims = jwt.decode(tokens["id_token"], _keys(http)).claims
    assert id_claims["email"] == "camille@example.fr"
    info = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert info["birthdate"] == "1984-03-12" and "email" not in info


def test_invalid_claims_parameter(http, app):
    client_id, _ = make_client(app)
    params = query(location(authorize(http, "caf", client_id, claims="not json")))
    assert params["error"] == "invalid_request"
