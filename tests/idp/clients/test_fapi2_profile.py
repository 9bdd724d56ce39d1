"""The ``fapi2`` client profile (FAPI 2.0 Security Profile): PAR, PKCE, private_key_jwt, DPoP,
ES256/PS256, short codes; end to end and each refusal."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlencode

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from helpers import REDIRECT, ACCOUNTS, location, make_account, make_client, page_text, pkce_pair, query, submit_login
from dpop_support import new_key, proof, server_nonce

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture
def fapi(app, tmp_path):
    key = ECKey.generate_key("P-256", parameters={"alg": "ES256"}, private=True, auto_kid=True)
    rsa = RSAKey.generate_key(2048, parameters={"alg": "RS256"}, private=True, auto_kid=True)
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False), rsa.as_dict(private=False)]}))
    client_id, secret = make_client(app, profile="fapi2", jwks_file=str(jwks_file), first_party=True,
                                    grant_types=["authorization_code", "refresh_token"])
    assert secret is None
    make_account(app)
    return client_id, key, rsa


def assertion(client_id, key, alg="ES256", aud="http://idp.test/caf"):
    now = int(time.time())
    return jwt.encode({"alg": alg, "kid": key.kid},
                      {"iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 60,
                       "jti": uuid.uuid4().hex}, key, algorithms=[alg])


def auth(client_id, key, alg="ES256"):
    return {"client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion(client_id, key, alg)}


def push(http, client_id, key, challenge, **extra):
    data = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "openid profile",
            "state": "st4te", "nonce": "n0nce", "code_challenge": challenge, "code_challenge_method": "S256",
            **extra}
    return http.post("/caf/par", data={k: v for k, v in {**data, **auth(client_id, key)}.items() if v is not None})


def code_via_par(http, client_id, key):
    verifier, challenge = pkce_pair()
    pushed = push(http, client_id, key, challenge)
    assert pushed.status_code == 201, pushed.get_json()
    url = location(http.get("/caf/authorize?" + urlencode(
        {"client_id": client_id, "request_uri": pushed.get_json()["request_uri"]})))
    url = location(submit_login(http, url, *ACCOUNTS["caf"]))
    params = query(url)
    assert params["iss"] == "http://idp.test/caf"   # RFC 9207
    return params["code"], verifier


def token(http, client_id, key, code, verifier, dpop_key=None, alg="ES256", dpop_alg="ES256", app=None):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier,
            **auth(client_id, key, alg)}
    headers = {"DPoP": proof(dpop_key, alg=dpop_alg, nonce=server_nonce(app))} if dpop_key else {}
    return http.post("/caf/token", data=data, headers=headers)


def test_fapi2_client_end_to_end(http, app, fapi):
    client_id, key, _ = fapi
    code, verifier = code_via_par(http, client_id, key)
    dpop_key = new_key()
    response = token(http, client_id, key, code, verifier, dpop_key, app=app)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["token_type"] == "DPoP"
    header = json.loads(__import__("base64").urlsafe_b64decode(body["id_token"].split(".")[0] + "=="))
    assert header["alg"] == "ES256"


def test_fapi2_client_must_push(http, app, fapi):
    client_id, _, _ = fapi
    _, challenge = pkce_pair()
    response = http.get("/caf/authorize?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "openid",
        "code_challenge": challenge, "code_challenge_method": "S256"}))
    assert response.status_code == 400
    assert "This client must push its authorization requests (PAR, RFC 9126)." in page_text(response)


def test_fapi2_client_must_use_pkce(http, app, fapi):
    client_id, key, _ = fapi
    response = push(http, client_id, key, None, code_challenge_method=None)
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_request",
                                   "error_description": "FAPI 2.0 clients must send a 'code_challenge' (PKCE)."}


def test_fapi2_token_needs_dpop(http, app, fapi):
    client_id, key, _ = fapi
    code, verifier = code_via_par(http, client_id, key)
    response = token(http, client_id, key, code, verifier)
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_dpop_proof", "error_description": "This client must send a DPoP proof."}


def test_fapi2_refuses_rs256_dpop_proofs(http, app, fapi):
    client_id, key, _ = fapi
    code, verifier = code_via_par(http, client_id, key)
    rsa_proof_key = RSAKey.generate_key(2048, private=True)
    response = token(http, client_id, key, code, verifier, rsa_proof_key, dpop_alg="RS256", app=app)
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_dpop_proof",
                                   "error_description": "FAPI 2.0 allows DPoP proofs in ES256 or PS256 only."}


def test_fapi2_refuses_rs256_client_assertions(http, app, fapi):
    client_id, _, rsa = fapi
    response = http.post("/caf/par", data={
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "openid",
        "code_challenge": pkce_pair()[1], "code_challenge_method": "S256", **auth(client_id, rsa, "RS256")})
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_client",
                                   "error_description": "The assertion must be signed with ES256 or PS256."}


def test_unregistered_redirect_uri_gets_a_page_not_a_redirect(http, app, fapi):
    client_id, key, _ = fapi
    response = push(http, client_id, key, pkce_pair()[1], redirect_uri="https://evil.example/cb")
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"
    assert "Location" not in response.headers


def test_fapi2_caps_the_code_lifetime():
    from idp.clients.profiles import PROFILES

    assert PROFILES["fapi2"].code_ttl(600) == 60 and PROFILES["fapi2"].code_ttl(30) == 30


@pytest.mark.parametrize("options, message", [
    ({"public": True}, "--public: a FAPI 2.0 client is confidential (private_key_jwt)"),
    ({"auth_method": "client_secret_basic"}, "--auth-method: FAPI 2.0 clients authenticate with private_key_jwt"),
    ({"id_token_signed_response_alg": "RS256"}, "--id-token-signed-response-alg: FAPI 2.0 allows ES256 or PS256 only"),
    ({"grant_types": ["client_credentials"]}, "--grant-type: a FAPI 2.0 client uses the code flow (and refresh tokens)"),
])
def test_fapi2_registration_refusals(app, options, message):
    from idp.clients.admin import ClientError

    with pytest.raises(ClientError) as refused:
        make_client(app, profile="fapi2", **options)
    assert str(refused.value) == message


def test_cli_creates_a_fapi2_client(runner, tmp_path):
    key = ECKey.generate_key("P-256", parameters={"alg": "ES256"}, private=True, auto_kid=True)
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    result = runner.invoke(args=["clients", "create", "--tenant", "caf", "--name", "Banque", "--redirect-uri", REDIRECT,
                                 "--profile", "fapi2", "--jwks-file", str(jwks_file), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["profile"] == "fapi2" and data["token_endpoint_auth_method"] == "private_key_jwt"
    assert data["require_pushed_authorization_requests"] is True and data["dpop_bound_access_tokens"] is True
    assert data["id_token_signed_response_alg"] == "ES256"
