"""The generic relying party: caches, key rotation, client authentication, JSON userinfo,
pending-login records and configuration checks."""

from __future__ import annotations

import json
import threading

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from fc_fixtures import (  # noqa: F401  (keys is a fixture)
    ACCESS_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    CODE,
    REDIRECT_URI,
    SUBJECT,
    FakeClock,
    FakeUpstream,
    expect_error,
    keys,
    login,
    query,
)
from providers.franceconnect import ENVIRONMENTS, FranceConnect, FranceConnectConfig
from providers.oidc import OIDCProvider, PendingAuthorization, UpstreamConfig, UpstreamError

ISSUER = "https://op.example.org"


def generic(**overrides) -> UpstreamConfig:
    settings = {"name": "example", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "discovery_url": f"{ISSUER}/.well-known/openid-configuration", **overrides}
    return UpstreamConfig(**settings)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def fake(requests_mock, keys, clock):
    upstream = FakeUpstream(requests_mock, ISSUER, keys["ec"], clock=clock)
    upstream.acr = None
    return upstream


# -- caches and rotation ---------------------------------------------------------------------


def test_discovery_fetched_once_for_two_logins_then_after_ttl(requests_mock, keys, clock):
    base = ENVIRONMENTS["production"]
    fake = FakeUpstream(requests_mock, base, keys["ec"], clock=clock)
    fc = FranceConnect(FranceConnectConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                           environment="production"), clock=clock)
    login(fc, fake)
    login(fc, fake)
    assert fake.routes["discovery"].call_count == 1
    assert fake.routes["jwks"].call_count == 1
    clock.now += 3601
    login(fc, fake)
    assert fake.routes["discovery"].call_count == 2


def test_jwks_rotation_unknown_kid_refetches_once(requests_mock, keys, clock):
    base = ENVIRONMENTS["integration"]
    fake = FakeUpstream(requests_mock, base, keys["ec"], clock=clock)
    fc = FranceConnect(FranceConnectConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                           environment="integration"), clock=clock)
    login(fc, fake)
    fake.signing_key, fake.jwks_keys = keys["ec_rotated"], [keys["ec"], keys["ec_rotated"]]
    assert login(fc, fake).subject == SUBJECT
    assert fake.routes["jwks"].call_count == 2


def test_forced_jwks_refetches_are_spaced(fake, keys, clock):
    """A stream of forged tokens must not make us hammer the upstream's JWKS."""
    provider = OIDCProvider(generic(), clock=clock)
    fake.signing_key = keys["ec_other"]
    for _ in range(3):
        expect_error("bad_signature", login, provider, fake)
    assert fake.routes["jwks"].call_count == 2  # first load + one forced refetch
    clock.now += 11
    expect_error("bad_signature", login, provider, fake)
    assert fake.routes["jwks"].call_count == 3


def test_concurrent_logins_share_one_discovery_fetch(fake, clock):
    provider = OIDCProvider(generic(), clock=clock)
    barrier, errors = threading.Barrier(8), []

    def start():
        barrier.wait()
        try:
            provider.authorization_url(REDIRECT_URI)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and fake.routes["discovery"].call_count == 1


def test_discovery_issuer_must_match(fake, clock):
    provider = OIDCProvider(generic(issuer="https://other.example.org"), clock=clock)
    expect_error("config", provider.authorization_url, REDIRECT_URI)


def test_discovery_unreachable(requests_mock, clock):
    requests_mock.get(f"{ISSUER}/.well-known/openid-configuration", status_code=503)
    expect_error("upstream_unavailable", OIDCProvider(generic(), clock=clock).authorization_url, REDIRECT_URI)


def test_explicit_endpoints_without_discovery(fake, clock):
    provider = OIDCProvider(generic(discovery_url=None, issuer=ISSUER, authorization_endpoint=f"{ISSUER}/authorize",
                                    token_endpoint=f"{ISSUER}/token", userinfo_endpoint=f"{ISSUER}/userinfo",
                                    jwks_uri=f"{ISSUER}/jwks"), clock=clock)
    assert login(provider, fake).subject == SUBJECT
    assert not fake.routes["discovery"].called
    assert provider.end_session_url("hint", "https://idp.example.fr/out", "st") is None


# -- generic userinfo, client authentication ---------------------------------------------------


def test_generic_accepts_json_userinfo(fake, clock):
    fake.userinfo_as_json = True
    identity = login(OIDCProvider(generic(), clock=clock), fake)
    assert identity.provider == "example" and identity.acr is None and identity.claims["family_name"] == "DUBOIS"


def test_generic_can_require_jwt_userinfo(fake, clock):
    fake.userinfo_as_json = True
    expect_error("userinfo_not_jwt", login, OIDCProvider(generic(userinfo_jwt_required=True), clock=clock), fake)


def test_json_userinfo_subject_mismatch(fake, clock):
    fake.userinfo_as_json, fake.userinfo_claims = True, {"sub": "another"}
    expect_error("subject_mismatch", login, OIDCProvider(generic(), clock=clock), fake)


def test_client_secret_basic(fake, clock):
    login(OIDCProvider(generic(token_endpoint_auth_method="client_secret_basic"), clock=clock), fake)
    request = fake.token_requests[0]
    assert request.headers["Authorization"].startswith("Basic ")
    assert "client_secret" not in request.text


def test_private_key_jwt(fake, keys, clock):
    jwk = keys["client_ec"].as_dict(private=True)
    login(OIDCProvider(generic(client_secret=None, token_endpoint_auth_method="private_key_jwt",
                               client_private_jwk=jwk), clock=clock), fake)
    form = query("?" + fake.token_requests[0].text)
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    public = ECKey.import_key(keys["client_ec"].as_dict(private=False))
    assertion = jwt.decode(form["client_assertion"], public, algorithms=["ES256"])
    assert assertion.header["kid"] == "rp-client-auth"
    assert assertion.claims["iss"] == assertion.claims["sub"] == CLIENT_ID
    assert assertion.claims["aud"] == f"{ISSUER}/token"
    assert "client_secret" not in form


def test_token_type_must_be_bearer(fake, requests_mock, clock):
    response = {"access_token": ACCESS_TOKEN, "token_type": "MAC", "id_token": "x.y.z"}
    requests_mock.post(f"{ISSUER}/token", json=response)
    expect_error("token_error", login, OIDCProvider(generic(), clock=clock), fake)


# -- authorization request and pending record ------------------------------------------------------


def test_extra_parameters_cannot_replace_security_parameters(fake):
    provider = OIDCProvider(generic())
    for name in ("state", "nonce", "redirect_uri", "code_challenge_method"):
        with pytest.raises(ValueError):
            provider.authorization_url(REDIRECT_URI, extra={name: "x"})


def test_extra_acr_values_is_remembered(fake):
    url, pending = OIDCProvider(generic()).authorization_url(REDIRECT_URI, extra={"acr_values": "loa2"})
    assert query(url)["acr_values"] == "loa2" and pending.acr == "loa2"


def test_pending_authorization_round_trip(fake, clock):
    provider = OIDCProvider(generic(), clock=clock)
    _, pending = provider.authorization_url(REDIRECT_URI)
    stored = json.loads(json.dumps(pending.to_dict()))
    restored = PendingAuthorization.from_dict(stored)
    assert restored == pending and restored.created_at == 1_700_000_000
    fake.nonce = restored.nonce
    assert provider.complete({"code": CODE, "state": restored.state}, restored).subject == SUBJECT


@pytest.mark.parametrize("damage", [{"state": None}, {"nonce": 3}, {"created_at": "now"}, {"redirect_uri": ""}])
def test_pending_authorization_rejects_tampered_records(damage):
    record = {"state": "s" * 43, "nonce": "n" * 43, "code_verifier": None, "redirect_uri": REDIRECT_URI,
              "acr": None, "created_at": 1}
    with pytest.raises(ValueError):
        PendingAuthorization.from_dict({**record, **damage})
    del record["state"]
    with pytest.raises(ValueError):
        PendingAuthorization.from_dict(record)


def test_end_session_url_generic(fake):
    url = OIDCProvider(generic()).end_session_url("hint", "https://idp.example.fr/out", "st")
    assert url.startswith(f"{ISSUER}/session/end?")
    expected = {"id_token_hint": "hint", "state": "st", "post_logout_redirect_uri": "https://idp.example.fr/out"}
    assert query(url) == expected


# -- configuration ---------------------------------------------------------------------------------


@pytest.mark.parametrize("algs", [("none",), ("ES256", "HS256"), ("HS512",), ()])
def test_refused_signing_algorithms(algs):
    with pytest.raises(ValueError, match="allowed_algs"):
        generic(allowed_algs=algs)


@pytest.mark.parametrize("overrides", [
    {"client_id": ""},
    {"discovery_url": None},
    {"token_endpoint_auth_method": "client_secret_jwt"},
    {"token_endpoint_auth_method": "private_key_jwt"},
    {"encryption_required": True},
    {"encryption_jwks": ({"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"},)},
])
def test_invalid_generic_configurations(overrides):
    with pytest.raises(ValueError):
        generic(**overrides)


def test_encrypted_token_without_our_keys_is_a_config_error(fake, keys, clock):
    fake.encrypt_to = keys["enc_rsa"]
    expect_error("config", login, OIDCProvider(generic(), clock=clock), fake)


def test_unknown_error_codes_are_a_programming_error():
    with pytest.raises(ValueError):
        UpstreamError("oops", "")
