"""Discovery and JWKS of the FranceConnect stand-in, as fcp-low publishes them."""

from __future__ import annotations

import requests
from joserfc.jwk import ECKey

from devtools.fc_standin import running_standin
from fc_standin_support import CLIENT


def test_discovery_advertises_fcp_low(standin):
    response = requests.get(standin.discovery_url, timeout=10)
    assert response.status_code == 200
    document = response.json()
    issuer = standin.issuer
    assert issuer == f"{standin.base_url}/api/v2"
    assert document["issuer"] == issuer
    assert document["authorization_endpoint"] == f"{issuer}/authorize"
    assert document["token_endpoint"] == f"{issuer}/token"
    assert document["userinfo_endpoint"] == f"{issuer}/userinfo"
    assert document["end_session_endpoint"] == f"{issuer}/session/end"
    assert document["jwks_uri"] == f"{issuer}/jwks"
    assert document["acr_values_supported"] == ["eidas1"]
    assert document["id_token_signing_alg_values_supported"] == ["ES256", "RS256"]
    assert "ES256" in document["userinfo_signing_alg_values_supported"]
    assert document["token_endpoint_auth_methods_supported"] == ["client_secret_post", "private_key_jwt"]
    assert document["subject_types_supported"] == ["pairwise"]
    assert document["response_types_supported"] == ["code"]
    assert set(document["scopes_supported"]) == {
        "openid", "identite_pivot", "email", "given_name", "family_name", "birthdate", "gender",
        "birthplace", "birthcountry", "profile", "birth", "preferred_username"}


def test_jwks_publishes_the_public_es256_key(standin):
    keys = requests.get(f"{standin.issuer}/jwks", timeout=10).json()["keys"]
    assert len(keys) == 1
    (key,) = keys
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256"
    assert key["kid"] == standin.state.signing_key.kid
    assert "d" not in key


def test_a_given_jwk_is_used_and_gets_a_kid():
    private = ECKey.generate_key("P-256").as_dict(private=True)
    private.pop("kid", None)
    with running_standin([CLIENT], signing_jwk=private) as standin:
        (key,) = requests.get(f"{standin.issuer}/jwks", timeout=10).json()["keys"]
    assert key["x"] == private["x"]
    assert key["kid"]


def test_unknown_paths_outside_the_prefix_are_not_served(standin):
    assert requests.get(f"{standin.base_url}/.well-known/openid-configuration", timeout=10).status_code == 404
