"""Request parameters at the boundary (idp/web/params.py): each malformed request that made a 500
(issue 12) now gets its RFC error on protocol endpoints, a French page elsewhere, and
nothing stored."""

from __future__ import annotations

import base64
import io
import json

import pytest

from helpers import (REDIRECT, authorize, csrf, location, login_flow, make_account, make_client, page_text,
                     query)

CHALLENGE = {"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256"}


def _rows(app, model) -> int:
    from idp.store.db import db

    with app.app_context():
        return len(db.session.execute(db.select(model)).scalars().all())


def _basic(raw: bytes) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def _refused_page(response, error: str, description: str) -> None:
    text = page_text(response)
    assert response.status_code == 400 and "Location" not in response.headers
    assert "Demande de connexion refusée" in text and f"<code>{error}</code> – {description}" in text


def test_nul_in_client_id_is_invalid_request_at_the_token_endpoint(http, app):
    response = http.post("/caf/token", data={"grant_type": "client_credentials", "client_id": "a\x00b",
                                             "client_secret": "x"})
    assert response.status_code == 400 and response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {"error": "invalid_request",
                                   "error_description": "'client_id' contains characters that are not allowed."}


def test_nul_in_client_id_is_a_page_at_authorize_and_logout(http, app):
    _refused_page(authorize(http, "caf", "a\x00b"), "invalid_request",
                  "'client_id' contains characters that are not allowed.")
    logout = http.get("/caf/logout", query_string={"client_id": "a\x00", "post_logout_redirect_uri": "https://x/"})
    assert logout.status_code == 400 and "Déconnexion impossible" in page_text(logout)
    assert "<code>invalid_request</code>" in page_text(logout)


def test_nul_in_nonce_stores_nothing(http, app):
    from idp.store.models import AuthorizationCode, Interaction

    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_flow(http, "caf", client_id, **CHALLENGE)   # logged in: a code would be issued at once
    _refused_page(authorize(http, "caf", client_id, nonce="n\x00nce", **CHALLENGE), "invalid_request",
                  "'nonce' contains characters that are not allowed.")
    assert _rows(app, AuthorizationCode) == 1 and _rows(app, Interaction) == 0   # the first login's only


@pytest.mark.parametrize("endpoint", ["token", "introspect", "revoke"])
@pytest.mark.parametrize("credentials", [b"\xff\xfe:\xff", b"client\x00:secret", b"no-colon", b"id:%FF%FE"])
def test_malformed_basic_credentials_are_invalid_client(http, app, endpoint, credentials):
    response = http.post(f"/caf/{endpoint}", data={"grant_type": "client_credentials", "token": "x"},
                         headers=_basic(credentials))
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Basic ")
    assert response.get_json() == {
        "error": "invalid_client",
        "error_description": "The HTTP Basic credentials are malformed (RFC 6749 section 2.3.1)."}


def test_basic_credentials_that_are_not_base64_are_invalid_client(http, app):
    for header in ("Basic //46/w==", "Basic }Ý5ªHK", "Basic a b c"):
        response = http.post("/caf/token", data={"grant_type": "client_credentials"},
                             headers={"Authorization": header})
        assert response.status_code == 401 and response.get_json()["error"] == "invalid_client", header


def test_values_authlib_echoes_are_refused_before_it_echoes_them(http, app):
    client_id, _ = make_client(app)
    _refused_page(authorize(http, "caf", client_id, response_type="é"), "unsupported_response_type",
                  "'response_type' is malformed.")
    _refused_page(authorize(http, "caf", client_id, redirect_uri="https://rp.example/cb\\"), "invalid_request",
                  "'redirect_uri' is malformed.")
    _refused_page(authorize(http, "caf", client_id, redirect_uri='https://rp.example/"cb'), "invalid_request",
                  "'redirect_uri' is malformed.")


def test_our_own_descriptions_quote_the_request_safely(http, app):
    client_id, _ = make_client(app)
    params = query(location(authorize(http, "caf", client_id, response_mode='"é\\')))
    assert params["error"] == "invalid_request"
    assert params["error_description"] == "Unsupported 'response_mode': ???."


def test_grant_type_that_is_not_a_name_is_unsupported_grant_type(http, app):
    client_id, secret = make_client(app)
    response = http.post("/caf/token", data={"grant_type": "é"},
                         headers=_basic(f"{client_id}:{secret}".encode()))
    assert response.status_code == 400
    assert response.get_json() == {"error": "unsupported_grant_type",
                                   "error_description": "'grant_type' is malformed."}


@pytest.mark.parametrize("claims", ["[" * 1000 + "]" * 1000, '{"a":' * 900 + "1" + "}" * 900, '{"a":NaN}',
                                    '{"userinfo":{"email":{"value":Infinity}}}', '{"id_token":{"\\u0000":null}}',
                                    '{"userinfo":{"\\ud800":null}}'])
def test_claims_not_strict_json_or_too_deep_is_invalid_request_to_the_client(http, app, claims):
    client_id, _ = make_client(app)
    response = authorize(http, "caf", client_id, method="POST", claims=claims)
    params = query(location(response))
    assert response.headers["Location"].startswith(REDIRECT)
    assert params["error"] == "invalid_request" and params["error_description"] == "'claims' must be a JSON object."


def test_claims_beyond_the_size_cap_is_refused_on_a_page(http, app):
    client_id, _ = make_client(app)
    _refused_page(authorize(http, "caf", client_id, method="POST", claims="[" * 5000 + "]" * 5000),
                  "invalid_request", "'claims' is longer than 8000 characters.")


@pytest.mark.parametrize("max_age", ["²", "١٢", "①", "-1", "1e3", "99999999999"])
def test_max_age_other_than_ascii_digits_is_invalid_request(http, app, max_age):
    client_id, _ = make_client(app)   # no session: the interaction would have stored it
    params = query(location(authorize(http, "caf", client_id, max_age=max_age)))
    assert params["error"] == "invalid_request"
    assert params["error_description"] == "'max_age' must be a non-negative integer."


def test_authorization_parameters_are_capped_and_nothing_is_stored(http, app):
    from idp.store.models import Interaction

    client_id, _ = make_client(app)
    _refused_page(authorize(http, "caf", client_id, method="POST", state="s" * 2001), "invalid_request",
                  "'state' is longer than 2000 characters.")
    _refused_page(authorize(http, "caf", client_id, method="POST", state="s" * 60_000), "invalid_request",
                  "'state' is longer than 2000 characters.")
    too_large = authorize(http, "caf", client_id, method="POST", state="s" * 3_000_000)
    assert too_large.status_code == 413 and "Envoi trop volumineux" in page_text(too_large)   # [server] max_request_bytes, first
    extras = {f"x{i}": "1" for i in range(45)}
    _refused_page(authorize(http, "caf", client_id, **extras), "invalid_request",
                  "At most 50 parameters are accepted.")
    _refused_page(authorize(http, "caf", client_id, **{"n" * 65: "1"}), "invalid_request",
                  "Parameter names are at most 64 characters long.")
    assert _rows(app, Interaction) == 0
    assert "/interaction/" in location(authorize(http, "caf", client_id, state="s" * 2000))
    assert _rows(app, Interaction) == 1


def test_control_characters_in_a_form_page_get_a_french_page(http, app):
    from idp.store.models import Account

    page = page_text(http.get("/mairie/login"))
    response = http.post("/mairie/login", data={"csrf_token": csrf(page), "identifier": "jean\x00dupont",
                                                "password": "x"})
    assert response.status_code == 400
    assert "Demande invalide" in page_text(response)
    assert "Votre demande contient des caractères ou des valeurs que nous ne pouvons pas accepter." in page_text(response)
    assert _rows(app, Account) == 0
    english = http.post("/mairie/login?lang=en", data={"csrf_token": csrf(page), "identifier": "\x07", "password": ""})
    assert english.status_code == 400 and "Invalid request" in page_text(english)


def test_forms_still_accept_tab_and_newlines(http, app):
    page = page_text(http.get("/mairie/login"))
    response = http.post("/mairie/login", data={"csrf_token": csrf(page), "identifier": "jean\tdupont\r\n",
                                                "password": "x"})
    assert response.status_code == 400 and "Demande invalide" not in page_text(response)


def test_names_outside_the_protocol_are_not_echoed(http, app):
    client_id, _ = make_client(app)
    _refused_page(authorize(http, "caf", client_id, **{"évil\x00": "1"}), "invalid_request",
                  "A parameter contains characters that are not allowed.")


def test_nul_in_a_path_segment_is_refused(http, app):
    response = http.get("/caf/signup/activate/%00/token")
    assert response.status_code == 400 and "Demande invalide" in page_text(response)


def test_multipart_names_and_file_names_are_screened(http, app):
    page = page_text(http.get("/caf/login"))
    upload = http.post("/caf/signup/justificatif", content_type="multipart/form-data",
                       data={"csrf_token": csrf(page), "document": (io.BytesIO(b"%PDF-1.4"), "a\x00.pdf")})
    assert upload.status_code == 400 and "Demande invalide" in page_text(upload)
    # a part Werkzeug cannot name (name="\") is an unnamed field, not a crash of the screen
    unnamed = http.post("/caf/login", content_type="multipart/form-data",
                        data={"csrf_token": csrf(page), "\\": "1", "identifier": "x", "password": "y"})
    assert unnamed.status_code == 400 and "Demande invalide" not in page_text(unnamed)


def test_json_depth_and_strict_json():
    from idp.web.params import json_depth, strict_json

    assert json_depth('{"a": [1, {"b": "[[[["}]}') == 3
    assert json_depth('"\\"[[["') == 0
    assert strict_json('{"userinfo": {"email": {"essential": true}}}') == {"userinfo": {"email": {"essential": True}}}
    for bad in ("[" * 7 + "]" * 7, "NaN", '{"a": -Infinity}', '["\\u0007"]', '{"\\udfff": 1}'):
        with pytest.raises(ValueError):
            strict_json(bad)


def test_describable_keeps_only_error_description_characters():
    from idp.web.params import describable

    assert describable('form_"post\\é\x00') == "form_?post???"
    assert describable("x" * 500) == "x" * 200


def test_valid_requests_pass_the_boundary_untouched(http, app):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    url = login_flow(http, "caf", client_id, state="St4te-._~!$&'()*+,;=:@", nonce="nonce é ✓",
                     login_hint="1 84 03 12 345 678", claims=json.dumps({"userinfo": {"email": None}}), **CHALLENGE)
    assert query(url)["state"] == "St4te-._~!$&'()*+,;=:@" and query(url)["code"]
