"""What we send to FranceConnect (authorization and logout URLs, our public keys) and which
configurations we refuse at start-up (franceconnect.md §1-§3, §6)."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

import pytest

from fc_fixtures import (  # noqa: F401  (keys is a fixture)
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    FakeClock,
    FakeUpstream,
    keys,
    query,
)
from providers.franceconnect import ENVIRONMENTS, FranceConnect, FranceConnectConfig

BASE = ENVIRONMENTS["integration"]


def config(**overrides) -> FranceConnectConfig:
    settings = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "environment": "integration", **overrides}
    return FranceConnectConfig(**settings)


@pytest.fixture
def fake(requests_mock, keys):
    return FakeUpstream(requests_mock, BASE, keys["ec"])


@pytest.fixture
def fc(fake):
    return FranceConnect(config(), clock=FakeClock())


# -- authorization URL -----------------------------------------------------------------------


def test_authorization_url_parameters(fc):
    url, pending = fc.authorization_url(REDIRECT_URI)
    assert url.startswith(f"{BASE}/authorize?")
    params = query(url)
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == REDIRECT_URI
    assert params["scope"].split() == ["openid", "identite_pivot", "email"]
    assert params["acr_values"] == "eidas1"
    assert params["state"] == pending.state and params["nonce"] == pending.nonce
    assert pending.acr == "eidas1" and pending.redirect_uri == REDIRECT_URI
    assert "prompt" not in params and "idp_hint" not in params


def test_state_and_nonce_are_long_random_alphanumerics(fc):
    """FranceConnect wants at least 22 (docs) or 32 (older docs) letters and digits (§2, §10)."""
    seen = set()
    for _ in range(20):
        _, pending = fc.authorization_url(REDIRECT_URI)
        for value in (pending.state, pending.nonce):
            assert re.fullmatch(r"[A-Za-z0-9]{32,}", value)
            seen.add(value)
    assert len(seen) == 40


def test_pkce_s256(fc):
    url, pending = fc.authorization_url(REDIRECT_URI)
    params = query(url)
    digest = hashlib.sha256(pending.code_verifier.encode()).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert params["code_challenge_method"] == "S256"
    assert pending.code_verifier not in url


def test_pkce_can_be_disabled(fake):
    url, pending = FranceConnect(config(use_pkce=False)).authorization_url(REDIRECT_URI)
    assert pending.code_verifier is None and "code_challenge" not in query(url)


@pytest.mark.parametrize("prompt", ["login", "consent", "login consent"])
def test_allowed_prompts(fc, prompt):
    url, _ = fc.authorization_url(REDIRECT_URI, prompt=prompt)
    assert query(url)["prompt"] == prompt


@pytest.mark.parametrize("prompt", ["none", "select_account", "", "login none"])
def test_other_prompts_refused(fc, prompt):
    """FranceConnect answers Y030007 to these (§2): refuse before sending the user there."""
    with pytest.raises(ValueError, match="prompt"):
        fc.authorization_url(REDIRECT_URI, prompt=prompt)


def test_idp_hint_from_config_or_argument(fake):
    fc = FranceConnect(config(idp_hint="fia1v2"))
    assert query(fc.authorization_url(REDIRECT_URI)[0])["idp_hint"] == "fia1v2"
    url, _ = fc.authorization_url(REDIRECT_URI, idp_hint="ameli", ui_locales="fr")
    assert query(url)["idp_hint"] == "ameli" and query(url)["ui_locales"] == "fr"


def test_scopes_always_include_openid():
    assert config(scopes=("identite_pivot",)).scopes == ("openid", "identite_pivot")


# -- logout, keys --------------------------------------------------------------------------------


def test_end_session_url(fc):
    url = fc.end_session_url("eyJ.id.token", "https://idp.example.fr/caf/logout/done", "logoutstate123")
    assert url.startswith(f"{BASE}/session/end?")
    assert list(query(url)) == ["id_token_hint", "state", "post_logout_redirect_uri"]
    assert query(url) == {"id_token_hint": "eyJ.id.token", "state": "logoutstate123",
                          "post_logout_redirect_uri": "https://idp.example.fr/caf/logout/done"}


def test_end_session_url_needs_all_three_parameters(fc):
    with pytest.raises(ValueError):
        fc.end_session_url("eyJ.id.token", "https://idp.example.fr/caf/logout/done", "")


def test_public_jwks(keys):
    rsa = {**keys["enc_rsa"].as_dict(private=True), "alg": "RSA-OAEP"}
    ec = keys["enc_ec"].as_dict(private=True)
    fc = FranceConnect(config(environment="integration-plus", acr="eidas2", encryption_jwks=(rsa, ec)))
    published = fc.public_jwks()["keys"]
    assert [(k["kty"], k["use"], k["alg"], k["kid"]) for k in published] == [
        ("RSA", "enc", "RSA-OAEP", "rp-enc-rsa"), ("EC", "enc", "ECDH-ES", "rp-enc-ec")]
    for key in published:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()


# -- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize("acr", ["eidas2", "eidas3"])
def test_substantial_levels_refused_on_franceconnect(acr):
    with pytest.raises(ValueError, match="acr"):
        config(acr=acr)


def test_eidas1_refused_on_franceconnect_plus(keys):
    with pytest.raises(ValueError, match="acr"):
        config(environment="production-plus", acr="eidas1", encryption_jwks=(keys["enc_rsa"].as_dict(private=True),))


def test_franceconnect_plus_needs_encryption_keys():
    with pytest.raises(ValueError, match=r"FranceConnect\+ needs encryption_jwks"):
        config(environment="production-plus", acr="eidas2")


def test_encryption_keys_must_be_private(keys):
    with pytest.raises(ValueError, match="private"):
        config(environment="production-plus", acr="eidas2", encryption_jwks=(keys["enc_rsa"].as_dict(),))


def test_plus_follows_environment(keys):
    enc = (keys["enc_ec"].as_dict(private=True),)
    assert config(environment="production-plus", acr="eidas3", encryption_jwks=enc).plus is True
    assert config(environment="production").plus is False
    with pytest.raises(ValueError, match="plus"):
        config(environment="production", plus=True)


def test_explicit_plus_stand_in(keys):
    local = "http://127.0.0.1:8700/api/v2"
    cfg = config(environment=None, discovery_url=f"{local}/.well-known/openid-configuration", plus=True,
                 acr="eidas2", encryption_jwks=(keys["enc_ec"].as_dict(private=True),))
    assert cfg.plus and cfg.upstream_config().encryption_required


@pytest.mark.parametrize("overrides", [
    {"environment": "staging"},
    {"environment": None},
    {"client_secret": None},
    {"token_endpoint_auth_method": "client_secret_basic"},
    {"token_endpoint_auth_method": "private_key_jwt"},
    {"discovery_url": "https://elsewhere.example/.well-known/openid-configuration"},
])
def test_invalid_configurations(overrides):
    with pytest.raises(ValueError):
        config(**overrides)


@pytest.mark.parametrize(("environment", "host"), [
    ("integration", "fcp-low.integ01.dev-franceconnect.fr"),
    ("production", "oidc.franceconnect.gouv.fr"),
    ("integration-plus", "auth.integ01.dev-franceconnect.fr"),
    ("production-plus", "auth.franceconnect.gouv.fr"),
])
def test_environment_discovery_urls(keys, environment, host):
    enc = (keys["enc_ec"].as_dict(private=True),)
    acr = "eidas2" if environment.endswith("plus") else "eidas1"
    upstream = config(environment=environment, acr=acr, encryption_jwks=enc).upstream_config()
    assert upstream.discovery_url == f"https://{host}/api/v2/.well-known/openid-configuration"
    assert urlsplit(upstream.issuer).netloc == host
    assert upstream.allowed_algs == ("ES256", "RS256") and upstream.userinfo_jwt_required
