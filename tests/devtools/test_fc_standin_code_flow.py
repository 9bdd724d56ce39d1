"""The authorization code flow against the stand-in over HTTP, with PKCE, for each identity."""

from __future__ import annotations

import json

import pytest
import requests

from devtools.fc_standin import pairwise_sub
from devtools.fc_standin.identities import load_identities
from fc_standin_support import CLIENT_ID, authorize, authorize_params, login, tokens_for, verified

IDENTITIES = {identity["login"]: identity for identity in load_identities()}


def test_chooser_page_lists_the_demo_identities(standin):
    page = authorize(standin)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Se connecter en tant que Élodie GARNIER" in page.text
    assert "Se connecter en tant que Jean-Noël BÉRANGER" in page.text
    assert "Refuser" in page.text
    assert "<link" not in page.text and "<script" not in page.text and "src=" not in page.text


def test_token_response_and_id_token(standin):
    params, tokens = tokens_for(standin, "elodie")
    assert set(tokens) == {"access_token", "token_type", "expires_in", "id_token", "scope"}
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 60
    assert tokens["scope"] == "openid identite_pivot email preferred_username"
    claims = verified(standin, tokens["id_token"])
    assert claims["iss"] == standin.issuer
    assert claims["aud"] == CLIENT_ID
    assert claims["nonce"] == params["nonce"]
    assert claims["acr"] == "eidas1"
    assert claims["exp"] == claims["iat"] + 60
    assert claims["auth_time"] <= claims["iat"]
    assert claims["sid"]
    assert "amr" not in claims
    assert claims["sub"] == pairwise_sub(CLIENT_ID, IDENTITIES["elodie"])


def test_callback_carries_code_and_state(standin):
    params, callback = login(standin, "ines")
    assert set(callback) == {"code", "state"}
    assert callback["state"] == params["state"]


def test_amr_when_asked_with_the_claims_parameter(standin):
    claims_param = json.dumps({"id_token": {"amr": {"essential": True}}})
    _, tokens = tokens_for(standin, "jean-noel", claims=claims_param)
    assert verified(standin, tokens["id_token"])["amr"] == ["pwd"]


def test_sub_is_pairwise_stable_and_fc_shaped(standin):
    _, first = tokens_for(standin, "elodie")
    _, second = tokens_for(standin, "elodie")
    _, other = tokens_for(standin, "ines")
    sub = verified(standin, first["id_token"])["sub"]
    assert sub == verified(standin, second["id_token"])["sub"]
    assert sub != verified(standin, other["id_token"])["sub"]
    assert len(sub) == 66 and sub.endswith("v1") and int(sub[:64], 16) >= 0
    assert pairwise_sub("autre-fs", IDENTITIES["elodie"]) != sub


def userinfo(standin, access_token: str) -> requests.Response:
    return requests.get(f"{standin.issuer}/userinfo", headers={"Authorization": f"Bearer {access_token}"},
                        timeout=10)


EXPECTED_USERINFO = {
    "elodie": {"given_name": "Élodie Marie-Hélène Françoise",
               "given_name_array": ["Élodie", "Marie-Hélène", "Françoise"],
               "family_name": "LEFÈVRE", "preferred_username": "GARNIER", "birthdate": "1984-03-17",
               "gender": "female", "birthplace": "75107", "birthcountry": "99100",
               "email": "elodie.lefevre@exemple.fr"},
    "jean-noel": {"given_name": "Jean-Noël Théo André", "given_name_array": ["Jean-Noël", "Théo", "André"],
                  "family_name": "BÉRANGER", "preferred_username": "", "birthdate": "1972-11-05",
                  "gender": "male", "birthplace": "69123", "birthcountry": "99100",
                  "email": "jn.beranger@exemple.fr"},
    "ines": {"given_name": "Inès Lucía Mercedes", "given_name_array": ["Inès", "Lucía", "Mercedes"],
             "family_name": "FERNÁNDEZ RUIZ", "preferred_username": "", "birthdate": "1991-07-28",
             "gender": "female", "birthplace": "", "birthcountry": "99134",
             "email": "ines.fernandez@exemple.fr"},
}


@pytest.mark.parametrize("login_name", sorted(EXPECTED_USERINFO))
def test_userinfo_is_a_signed_jwt_in_fc_formats(standin, login_name):
    _, tokens = tokens_for(standin, login_name)
    response = userinfo(standin, tokens["access_token"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/jwt"
    claims = verified(standin, response.text)
    assert claims["iss"] == standin.issuer and claims["aud"] == CLIENT_ID
    assert claims["sub"] == verified(standin, tokens["id_token"])["sub"]
    assert claims["exp"] > claims["iat"]
    released = {name: claims[name] for name in EXPECTED_USERINFO[login_name]}
    assert released == EXPECTED_USERINFO[login_name]


def test_userinfo_releases_only_the_granted_scopes(standin):
    _, tokens = tokens_for(standin, "elodie", scope="openid birth")
    claims = verified(standin, userinfo(standin, tokens["access_token"]).text)
    assert set(claims) == {"iss", "aud", "iat", "exp", "sub", "birthplace", "birthcountry"}


def test_identite_pivot_gives_the_six_pivot_claims(standin):
    _, tokens = tokens_for(standin, "jean-noel", scope="openid identite_pivot")
    claims = verified(standin, userinfo(standin, tokens["access_token"]).text)
    pivot = {"given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry"}
    assert set(claims) - {"iss", "aud", "iat", "exp", "sub"} == pivot | {"given_name_array"}


def test_userinfo_refuses_a_missing_or_unknown_token(standin):
    assert requests.get(f"{standin.issuer}/userinfo", timeout=10).status_code == 401
    response = userinfo(standin, "pas-un-jeton")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_access_token_expires_after_60_seconds(standin):
    _, tokens = tokens_for(standin, "elodie")
    real_clock = standin.state.clock
    standin.state.clock = lambda: real_clock() + 61
    assert userinfo(standin, tokens["access_token"]).status_code == 401


def test_authorize_requests_are_recorded(standin):
    params, _ = login(standin, "elodie", prompt="login consent", idp_hint="demo-fi")
    (recorded,) = standin.state.authorize_requests
    assert recorded == params
    assert recorded["prompt"] == "login consent" and recorded["idp_hint"] == "demo-fi"
    assert len(recorded["nonce"]) >= 22


def test_authorize_by_post_form(standin):
    response = requests.post(f"{standin.issuer}/authorize", data=authorize_params(), timeout=10)
    assert response.status_code == 200
    assert "Se connecter en tant que" in response.text
