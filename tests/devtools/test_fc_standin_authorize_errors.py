"""Each check of the stand-in's authorization endpoint, in FC's order and FC's answers.

Parameter errors (FC's DTO) and untrusted client/redirect_uri give an HTML error page
(400, never a redirect); later errors go back to the redirect_uri with error and state.
"""

from __future__ import annotations

import json

import pytest
import requests

from fc_standin_support import REDIRECT_URI, authorize, authorize_params, login, query_of
from devtools.fc_standin import choose_identity


def assert_error_page(response, fc_code: str):
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")
    assert fc_code in response.text


@pytest.mark.parametrize("missing", ["client_id", "redirect_uri", "response_type", "scope",
                                     "acr_values", "state", "nonce"])
def test_a_missing_required_parameter_is_an_error_page(standin, missing):
    response = authorize(standin, **{missing: None})
    assert_error_page(response, "Y030007")
    assert missing in response.text


def test_a_nonce_shorter_than_22_characters_is_refused(standin):
    assert_error_page(authorize(standin, nonce="a" * 21), "Y030007")
    assert authorize(standin, nonce="a" * 22).status_code == 200


@pytest.mark.parametrize("prompt", ["none", "select_account", "", "login none"])
def test_prompt_other_than_login_or_consent_is_refused(standin, prompt):
    response = requests.get(f"{standin.issuer}/authorize", params={**authorize_params(), "prompt": prompt},
                            allow_redirects=False, timeout=10)
    assert_error_page(response, "Y030007")


@pytest.mark.parametrize("prompt", ["login", "consent", "login consent"])
def test_allowed_prompts(standin, prompt):
    assert authorize(standin, prompt=prompt).status_code == 200


def test_unknown_client_is_an_error_page(standin):
    assert_error_page(authorize(standin, client_id="inconnu"), "Y04EA6EF")


def test_unregistered_redirect_uri_is_an_error_page(standin):
    assert_error_page(authorize(standin, redirect_uri="https://evil.example/cb"), "Y04C013C")


def test_redirect_uri_of_another_client_is_an_error_page(standin):
    assert_error_page(authorize(standin, redirect_uri="http://127.0.0.1:6000/cb"), "Y04C013C")


def assert_redirected_error(response, error: str, state: str) -> dict:
    assert response.status_code == 303
    assert response.headers["Location"].startswith(REDIRECT_URI + "?")
    query = query_of(response)
    assert query["error"] == error
    assert query["state"] == state
    assert query["error_description"]
    assert "code" not in query
    return query


@pytest.mark.parametrize("response_type", ["token", "id_token", "code id_token"])
def test_response_type_other_than_code(standin, response_type):
    response = authorize(standin, response_type=response_type, state="etat-123")
    assert_redirected_error(response, "unsupported_response_type", "etat-123")


def test_scope_without_openid(standin):
    response = authorize(standin, scope="identite_pivot email", state="etat-123")
    query = assert_redirected_error(response, "invalid_request", "etat-123")
    assert "openid" in query["error_description"]


@pytest.mark.parametrize("acr_values", ["eidas2", "eidas3", "eidas3 eidas2"])
def test_fcp_low_refuses_substantial_and_high_acr(standin, acr_values):
    response = authorize(standin, acr_values=acr_values, state="etat-123")
    query = assert_redirected_error(response, "invalid_acr", "etat-123")
    assert "expected eidas1" in query["error_description"]


@pytest.mark.parametrize("acr_values", ["eidas1", "eidas1 eidas2", "inconnu"])
def test_eidas1_or_unknown_acr_gives_eidas1(standin, acr_values):
    assert authorize(standin, acr_values=acr_values).status_code == 200


@pytest.mark.parametrize("overrides", [
    {"code_challenge": "x" * 43, "code_challenge_method": "plain"},
    {"code_challenge": "x" * 43},
    {"code_challenge": "court", "code_challenge_method": "S256"},
    {"code_challenge_method": "S256"},
])
def test_pkce_only_s256(standin, overrides):
    assert_redirected_error(authorize(standin, state="etat-123", **overrides), "invalid_request", "etat-123")


def test_claims_must_be_a_json_object(standin):
    response = authorize(standin, claims="pas du json", state="etat-123")
    assert_redirected_error(response, "invalid_request", "etat-123")
    assert authorize(standin, claims=json.dumps({"id_token": {"amr": None}})).status_code == 200


def test_idp_hint_is_accepted(standin):
    assert authorize(standin, idp_hint="fi-demo").status_code == 200


def test_refusing_redirects_with_access_denied(standin):
    session = requests.Session()
    params = authorize_params()
    chooser = session.get(f"{standin.issuer}/authorize", params=params, timeout=10)
    response = choose_identity(session, chooser, "", refuse=True)
    query = assert_redirected_error(response, "access_denied", params["state"])
    assert query["error_description"]


def test_an_interaction_completes_once(standin):
    session = requests.Session()
    chooser = session.get(f"{standin.issuer}/authorize", params=authorize_params(), timeout=10)
    assert choose_identity(session, chooser, "elodie").status_code == 302
    replay = choose_identity(session, chooser, "elodie")
    assert replay.status_code == 400 and "Location" not in replay.headers


def test_unknown_identity_is_refused(standin):
    session = requests.Session()
    chooser = session.get(f"{standin.issuer}/authorize", params=authorize_params(), timeout=10)
    action = chooser.text.split('action="')[1].split('"')[0]
    response = session.post(f"{standin.base_url}{action}", data={"login": "personne"},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 400


def test_errors_are_recorded_too(standin):
    authorize(standin, acr_values="eidas2")
    login(standin, "elodie")
    assert [request["acr_values"] for request in standin.state.authorize_requests] == ["eidas2", "eidas1"]
