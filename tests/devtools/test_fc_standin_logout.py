"""RP-initiated logout at /api/v2/session/end on the stand-in."""

from __future__ import annotations

import time

import requests
from joserfc import jwt
from joserfc.jwk import ECKey

from fc_standin_support import CLIENT_ID, POST_LOGOUT_URI, query_of, tokens_for, verified


def end_session(standin, **params) -> requests.Response:
    return requests.get(f"{standin.issuer}/session/end", params=params, allow_redirects=False, timeout=10)


def test_logout_redirects_to_the_registered_uri_with_state(standin):
    _, tokens = tokens_for(standin, "elodie")
    response = end_session(standin, id_token_hint=tokens["id_token"], state="etat-fin",
                           post_logout_redirect_uri=POST_LOGOUT_URI)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(POST_LOGOUT_URI + "?")
    assert query_of(response) == {"state": "etat-fin"}
    sub = verified(standin, tokens["id_token"])["sub"]
    assert standin.state.logouts == [{"client_id": CLIENT_ID, "sub": sub, "state": "etat-fin"}]


def test_logout_revokes_the_session_access_tokens(standin):
    _, tokens = tokens_for(standin, "elodie")
    end_session(standin, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT_URI)
    userinfo = requests.get(f"{standin.issuer}/userinfo",
                            headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10)
    assert userinfo.status_code == 401


def test_unregistered_post_logout_redirect_uri_is_an_error_page(standin):
    _, tokens = tokens_for(standin, "elodie")
    response = end_session(standin, id_token_hint=tokens["id_token"], state="s",
                           post_logout_redirect_uri="https://evil.example/bye")
    assert response.status_code == 400 and "Location" not in response.headers
    assert standin.state.logouts == []


def test_without_post_logout_redirect_uri_a_page_says_logged_out(standin):
    _, tokens = tokens_for(standin, "elodie")
    response = end_session(standin, id_token_hint=tokens["id_token"])
    assert response.status_code == 200 and "déconnecté" in response.text
    assert len(standin.state.logouts) == 1


def test_id_token_hint_is_required(standin):
    response = end_session(standin, post_logout_redirect_uri=POST_LOGOUT_URI, state="s")
    assert response.status_code == 400 and "Location" not in response.headers


def test_an_expired_id_token_hint_is_still_accepted(standin):
    _, tokens = tokens_for(standin, "ines")
    real_clock = standin.state.clock
    standin.state.clock = lambda: real_clock() + 3600
    response = end_session(standin, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT_URI)
    assert response.status_code == 302


def test_an_id_token_hint_signed_by_another_key_is_refused(standin):
    forged = jwt.encode({"alg": "ES256", "kid": standin.state.signing_key.kid},
                        {"iss": standin.issuer, "aud": CLIENT_ID, "sub": "x", "iat": int(time.time())},
                        ECKey.generate_key("P-256"))
    response = end_session(standin, id_token_hint=forged, post_logout_redirect_uri=POST_LOGOUT_URI)
    assert response.status_code == 400
    assert standin.state.logouts == []


def test_a_post_logout_uri_of_another_client_is_refused(standin):
    _, tokens = tokens_for(standin, "elodie")
    response = end_session(standin, id_token_hint=tokens["id_token"],
                           post_logout_redirect_uri="http://127.0.0.1:6000/cb")
    assert response.status_code == 400
