"""A whole FranceConnect login against a fake FranceConnect: the happy paths, then one test
per check of the callback, token and userinfo (each fails if its check is removed)."""

from __future__ import annotations

import json

import pytest
import requests

from fc_fixtures import (  # noqa: F401  (keys is a fixture)
    ACCESS_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    CODE,
    PIVOT,
    REDIRECT_URI,
    SUBJECT,
    FakeClock,
    FakeUpstream,
    expect_error,
    hs256_token,
    keys,
    login,
    unsigned_token,
)
from providers.franceconnect import ENVIRONMENTS, FranceConnect, FranceConnectConfig
from providers.upstream import UpstreamIdentity

BASE = ENVIRONMENTS["integration"]
BASE_PLUS = ENVIRONMENTS["integration-plus"]


@pytest.fixture
def clock():
    return FakeClock()


def make_fc(clock, **overrides) -> FranceConnect:
    settings = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "environment": "integration", **overrides}
    return FranceConnect(FranceConnectConfig(**settings), clock=clock)


@pytest.fixture
def fake(requests_mock, keys, clock):
    return FakeUpstream(requests_mock, BASE, keys["ec"], clock=clock)


@pytest.fixture
def fc(clock, fake):
    return make_fc(clock)


def make_fc_plus(clock, keys, acr="eidas2") -> FranceConnect:
    enc = (keys["enc_rsa"].as_dict(private=True), keys["enc_ec"].as_dict(private=True))
    return make_fc(clock, environment="integration-plus", acr=acr, encryption_jwks=enc)


# -- happy paths ---------------------------------------------------------------------------


def assert_identity(identity: UpstreamIdentity, acr: str = "eidas1") -> None:
    assert identity.provider == "franceconnect"
    assert identity.subject == SUBJECT
    assert identity.acr == acr
    assert identity.amr == ("pwd",)
    assert identity.auth_time == pytest.approx(1_700_000_000 - 5)
    assert identity.pivot() == PIVOT
    assert identity.email == "angela.dubois@example.fr"
    assert identity.preferred_username == "DUBOIS"
    assert not {"iss", "aud", "exp", "iat"} & identity.claims.keys()
    assert identity.claims["sub"] == SUBJECT
    assert identity.id_token.count(".") in (2, 4)


def test_fc_v2_es256_login(fc, fake):
    identity = login(fc, fake)
    assert_identity(identity)
    body = dict(pair.split("=", 1) for pair in fake.token_requests[0].text.split("&"))
    assert body["grant_type"] == "authorization_code"
    assert body["code"] == CODE
    assert body["client_id"] == CLIENT_ID and body["client_secret"] == CLIENT_SECRET  # client_secret_post
    assert len(body["code_verifier"]) >= 43
    assert "Authorization" not in fake.token_requests[0].headers


def test_fc_v2_rs256_login(requests_mock, keys, clock):
    fake = FakeUpstream(requests_mock, BASE, keys["rsa"], clock=clock)
    identity = login(make_fc(clock), fake)
    assert_identity(identity)
    assert fake.alg == "RS256"


@pytest.mark.parametrize(("enc_alg", "enc_key"), [("RSA-OAEP-256", "enc_rsa"), ("RSA-OAEP", "enc_rsa"),
                                                   ("ECDH-ES", "enc_ec")])
def test_fc_plus_nested_jwe_login(requests_mock, keys, clock, enc_alg, enc_key):
    fake = FakeUpstream(requests_mock, BASE_PLUS, keys["ec"], clock=clock, encrypt_to=keys[enc_key], enc_alg=enc_alg)
    fake.acr = "eidas2"
    identity = login(make_fc_plus(clock, keys), fake)
    # the logout id_token_hint is the inner JWS FranceConnect+ signed (it cannot open a JWE
    # encrypted to our key); its signature is FranceConnect's own
    assert identity.id_token.count(".") == 2
    from joserfc import jws
    from joserfc.jwk import KeySet

    jws.deserialize_compact(identity.id_token, KeySet([keys["ec"]]), algorithms=["ES256"])
    assert_identity(identity, acr="eidas2")


def test_fc_plus_accepts_a_higher_acr_than_asked(requests_mock, keys, clock):
    fake = FakeUpstream(requests_mock, BASE_PLUS, keys["ec"], clock=clock, encrypt_to=keys["enc_rsa"])
    fake.acr = "eidas3"
    assert login(make_fc_plus(clock, keys, acr="eidas2"), fake).acr == "eidas3"


# -- callback --------------------------------------------------------------------------------


def test_callback_error_is_reported_without_its_description(fc, fake):
    error = expect_error("callback_error", login, fc, fake, code=None, error="server_error",
                         error_description="Angela DUBOIS could not log in")
    assert "server_error" in error.detail
    assert "Angela" not in error.detail and "DUBOIS" not in error.detail
    assert not fake.routes["token"].called


def test_callback_error_value_is_sanitised(fc, fake):
    error = expect_error("callback_error", login, fc, fake, code=None, error="evil\nforged log line")
    assert "\n" not in error.detail


def test_access_denied_is_its_own_code(fc, fake):
    expect_error("access_denied", login, fc, fake, code=None, error="access_denied")


def test_state_mismatch(fc, fake):
    _, pending = fc.authorization_url(REDIRECT_URI)
    expect_error("state_mismatch", fc.complete, {"code": CODE, "state": pending.state[:-1] + ("Y" if pending.state.endswith("X") else "X")}, pending)
    expect_error("state_mismatch", fc.complete, {"code": CODE}, pending)
    assert not fake.routes["token"].called


def test_missing_code(fc, fake):
    _, pending = fc.authorization_url(REDIRECT_URI)
    expect_error("missing_code", fc.complete, {"state": pending.state}, pending)


# -- token endpoint ---------------------------------------------------------------------------


def test_token_endpoint_5xx_is_upstream_unavailable(fc, fake, requests_mock):
    requests_mock.post(f"{BASE}/token", status_code=502, text="<html>Bad gateway</html>")
    expect_error("upstream_unavailable", login, fc, fake)


def test_token_endpoint_timeout_is_upstream_unavailable(fc, fake, requests_mock):
    requests_mock.post(f"{BASE}/token", exc=requests.exceptions.ConnectTimeout)
    expect_error("upstream_unavailable", login, fc, fake)


def test_token_endpoint_400_is_token_error(fc, fake, requests_mock):
    requests_mock.post(f"{BASE}/token", status_code=400,
                       json={"error": "invalid_grant", "error_description": f"code {CODE} expired"})
    error = expect_error("token_error", login, fc, fake)
    assert "invalid_grant" in error.detail and "400" in error.detail


def test_token_response_without_id_token_is_token_error(fc, fake, requests_mock):
    requests_mock.post(f"{BASE}/token", json={"access_token": ACCESS_TOKEN, "token_type": "Bearer"})
    expect_error("token_error", login, fc, fake)


# -- ID token ------------------------------------------------------------------------------------


def test_id_token_signed_with_another_key(fc, fake, keys):
    fake.signing_key = keys["ec_other"]  # same kid as the published key
    expect_error("bad_signature", login, fc, fake)
    assert fake.routes["jwks"].call_count == 2  # refetched once, in case of rotation
    assert not fake.routes["userinfo"].called


def test_id_token_alg_none_refused(fc, fake):
    fake.id_token_factory = unsigned_token
    error = expect_error("bad_signature", login, fc, fake)
    assert "none" in error.detail
    assert not fake.routes["jwks"].called


def test_id_token_hs256_refused(fc, fake):
    fake.id_token_factory = lambda claims: hs256_token(claims, kid="fc-es256")
    error = expect_error("bad_signature", login, fc, fake)
    assert "HS256" in error.detail
    assert not fake.routes["jwks"].called  # refused on the alg, before any key lookup


def test_id_token_wrong_issuer(fc, fake):
    fake.id_claims = {"iss": "https://fcp-low.sbx.dev-franceconnect.fr/api/v2"}
    error = expect_error("bad_id_token", login, fc, fake)
    assert "iss" in error.detail


def test_id_token_wrong_audience(fc, fake):
    fake.id_claims = {"aud": "another-service-provider"}
    error = expect_error("bad_id_token", login, fc, fake)
    assert "aud" in error.detail


def test_id_token_audience_list_needs_azp(fc, fake):
    fake.id_claims = {"aud": [CLIENT_ID, "another-service-provider"]}
    expect_error("bad_id_token", login, fc, fake)


def test_id_token_expired_past_leeway(fc, fake):
    fake.id_claims = {"iat": 1_700_000_000 - 200, "exp": 1_700_000_000 - 61}
    expect_error("expired", login, fc, fake)


def test_id_token_expired_within_leeway_is_accepted(fc, fake):
    """FranceConnect's ID tokens live 60 s (franceconnect.md §4): a slightly late clock passes."""
    fake.id_claims = {"iat": 1_700_000_000 - 100, "exp": 1_700_000_000 - 30}
    assert login(fc, fake).subject == SUBJECT


def test_id_token_issued_in_the_future_is_refused(fc, fake):
    fake.id_claims = {"iat": 1_700_000_000 + 600, "exp": 1_700_000_000 + 660}
    expect_error("bad_id_token", login, fc, fake)


def test_nonce_mismatch(fc, fake):
    _, pending = fc.authorization_url(REDIRECT_URI)
    fake.nonce = "a" * 43  # an ID token minted for another login
    expect_error("nonce_mismatch", fc.complete, {"code": CODE, "state": pending.state}, pending)


def test_acr_too_low(requests_mock, keys, clock):
    fake = FakeUpstream(requests_mock, BASE_PLUS, keys["ec"], clock=clock, encrypt_to=keys["enc_rsa"])
    fake.acr = "eidas2"
    error = expect_error("acr_too_low", login, make_fc_plus(clock, keys, acr="eidas3"), fake)
    assert "eidas2" in error.detail
    assert not fake.routes["userinfo"].called  # no personal data fetched for a refused login


@pytest.mark.parametrize("acr", [None, "", "eidas4", "https://proconnect.gouv.fr/assurance/self-asserted"])
def test_acr_missing_or_unknown(fc, fake, acr):
    fake.id_claims = {"acr": acr} if acr is not None else {"acr": None}
    expect_error("acr_too_low", login, fc, fake)


def test_plain_jws_id_token_on_fc_plus(requests_mock, keys, clock):
    fake = FakeUpstream(requests_mock, BASE_PLUS, keys["ec"], clock=clock, encrypt_to=None)
    fake.acr = "eidas2"
    error = expect_error("bad_id_token", login, make_fc_plus(clock, keys), fake)
    assert "not encrypted" in error.detail


@pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")
@pytest.mark.parametrize(("enc_alg", "enc"), [("RSA1_5", "A256GCM"), ("RSA-OAEP-256", "A128GCM")])
def test_fc_plus_jwe_with_refused_encryption(requests_mock, keys, clock, enc_alg, enc):
    """Only RSA-OAEP(-256)/ECDH-ES with A256GCM (franceconnect.md §4); RSA1_5 is broken."""
    fake = FakeUpstream(requests_mock, BASE_PLUS, keys["ec"], clock=clock, encrypt_to=keys["enc_rsa"],
                        enc_alg=enc_alg)
    fake.acr, fake.enc = "eidas2", enc
    error = expect_error("bad_id_token", login, make_fc_plus(clock, keys), fake)
    assert f"{enc_alg}/{enc} not allowed" in error.detail


def test_fc_plus_jwe_for_someone_else(requests_mock, keys, clock):
    fake = FakeUpstream(requests_mock, BASE_PLUS, keys["ec"], clock=clock, encrypt_to=keys["ec"], enc_alg="ECDH-ES")
    fake.acr = "eidas2"
    expect_error("bad_id_token", login, make_fc_plus(clock, keys), fake)


# -- userinfo ------------------------------------------------------------------------------------


def test_userinfo_json_instead_of_jwt(fc, fake):
    fake.userinfo_as_json = True
    expect_error("userinfo_not_jwt", login, fc, fake)


def test_userinfo_bad_signature(fc, fake, keys):
    fake.userinfo_key = keys["ec_other"]
    expect_error("bad_signature", login, fc, fake)


def test_userinfo_subject_mismatch(fc, fake):
    fake.userinfo_claims = {"sub": "someone-else-v1"}
    expect_error("subject_mismatch", login, fc, fake)


def test_userinfo_5xx(fc, fake, requests_mock):
    requests_mock.get(f"{BASE}/userinfo", status_code=503)
    expect_error("upstream_unavailable", login, fc, fake)


def test_userinfo_timeout(fc, fake, requests_mock):
    requests_mock.get(f"{BASE}/userinfo", exc=requests.exceptions.ReadTimeout)
    expect_error("upstream_unavailable", login, fc, fake)


def test_userinfo_401(fc, fake, requests_mock):
    requests_mock.get(f"{BASE}/userinfo", status_code=401, json={"error": "invalid_token"})
    expect_error("userinfo_error", login, fc, fake)


def test_userinfo_for_another_audience(fc, fake):
    fake.userinfo_claims = {"aud": "another-service-provider"}
    expect_error("userinfo_error", login, fc, fake)


def test_userinfo_plain_jws_on_fc_plus(requests_mock, keys, clock):
    fake = FakeUpstream(requests_mock, BASE_PLUS, keys["ec"], clock=clock, encrypt_to=keys["enc_rsa"])
    fake.acr, fake.userinfo_encrypt = "eidas2", False
    expect_error("userinfo_error", login, make_fc_plus(clock, keys), fake)


def test_userinfo_jwt_signed_hs256_refused(fc, fake, requests_mock):
    def hs256_userinfo(request, context):
        context.headers["Content-Type"] = "application/jwt"
        return hs256_token({"sub": SUBJECT, **PIVOT}, kid="fc-es256")

    requests_mock.get(f"{BASE}/userinfo", text=hs256_userinfo)
    expect_error("bad_signature", login, fc, fake)


def test_identity_does_not_repr_personal_data(fc, fake):
    text = repr(login(fc, fake))
    assert "DUBOIS" not in text and "eyJ" not in text
    json.dumps(login(fc, fake).claims)  # plain JSON values, storable as they are
