"""The stand-in's token endpoint refusals (RFC 6749 §5.2 JSON errors)."""

from __future__ import annotations

import base64

import requests

from fc_standin_support import (
    CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT, REDIRECT_URI, login, pkce_pair, redeem, tokens_for,
)


def test_a_code_is_single_use_and_its_replay_revokes_the_tokens(standin):
    _, callback = login(standin, "elodie")
    first = redeem(standin, callback["code"])
    assert first.status_code == 200
    replay = redeem(standin, callback["code"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    userinfo = requests.get(f"{standin.issuer}/userinfo",
                            headers={"Authorization": f"Bearer {first.json()['access_token']}"}, timeout=10)
    assert userinfo.status_code == 401


def test_a_code_expires_after_30_seconds(standin):
    _, callback = login(standin, "elodie")
    real_clock = standin.state.clock
    standin.state.clock = lambda: real_clock() + 31
    assert redeem(standin, callback["code"]).json()["error"] == "invalid_grant"


def test_wrong_client_secret(standin):
    _, callback = login(standin, "elodie")
    response = redeem(standin, callback["code"], secret="mauvais-secret")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert redeem(standin, callback["code"]).status_code == 200  # the failed attempt did not burn it


def test_unknown_client_and_missing_secret(standin):
    response = requests.post(f"{standin.issuer}/token", timeout=10, data={
        "grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT_URI, "client_id": "inconnu"})
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    response = requests.post(f"{standin.issuer}/token", timeout=10, data={
        "grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT_URI, "client_id": CLIENT_ID})
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_client_secret_basic_is_accepted(standin):
    _, callback = login(standin, "elodie")
    credentials = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    response = requests.post(f"{standin.issuer}/token", headers={"Authorization": f"Basic {credentials}"},
                             data={"grant_type": "authorization_code", "code": callback["code"],
                                   "redirect_uri": REDIRECT_URI}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_code_of_another_client_is_refused(standin):
    _, callback = login(standin, "elodie")
    response = requests.post(f"{standin.issuer}/token", timeout=10, data={
        "grant_type": "authorization_code", "code": callback["code"], "redirect_uri": REDIRECT_URI,
        "client_id": OTHER_CLIENT["client_id"], "client_secret": OTHER_CLIENT["client_secret"]})
    assert response.json()["error"] == "invalid_grant"


def test_redirect_uri_must_match(standin):
    _, callback = login(standin, "elodie")
    response = redeem(standin, callback["code"], redirect_uri="http://127.0.0.1:5000/autre")
    assert response.json()["error"] == "invalid_grant"


def test_other_grant_types_are_unsupported(standin):
    _, callback = login(standin, "elodie")
    response = redeem(standin, callback["code"], grant_type="refresh_token")
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


def test_pkce_verifier_is_checked(standin):
    verifier, challenge = pkce_pair()
    _, callback = login(standin, "elodie", code_challenge=challenge, code_challenge_method="S256")
    assert redeem(standin, callback["code"], code_verifier=verifier + "x").json()["error"] == "invalid_grant"
    _, callback = login(standin, "elodie", code_challenge=challenge, code_challenge_method="S256")
    assert redeem(standin, callback["code"]).json()["error"] == "invalid_grant"


def test_private_key_jwt_is_refused_with_a_clear_message(standin):
    response = redeem(standin, "x", client_assertion="a.b.c",
                      client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    assert response.status_code == 401
    assert "private_key_jwt" in response.json()["error_description"]


def test_token_response_needs_no_pkce_when_none_was_sent(standin):
    _, callback = login(standin, "ines")
    assert redeem(standin, callback["code"]).status_code == 200
    assert tokens_for(standin, "ines")[1]["token_type"] == "Bearer"
