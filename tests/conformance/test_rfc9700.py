"""RFC 9700 (OAuth 2.0 Security BCP) and the OWASP ASVS OAuth chapter, as tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest

from conformance_op import OP
from helpers import (POST_LOGOUT, REDIRECT, authorize, exchange, location, login_flow, make_client,
                     past_refresh_grace, path_of, pkce_pair, query, submit_login, token_request)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize("uri", [
    REDIRECT + "/", REDIRECT + "x", REDIRECT + "?a=1", REDIRECT.upper(), "https://rp.example/*",
    "http://rp.example/cb", "https://rp.example:443/cb", "https://rp.example:8443/cb",
    "https://rp.example.evil.example/cb", "https://rp.example@evil.example/cb", "https://evil.example/cb",
    "https://RP.example/cb", REDIRECT + "#frag",
])
def test_redirect_uri_exact_match_only(op, uri):
    response = op.authorize(redirect_uri=uri)
    assert response.status_code == 400 and "Location" not in response.headers


def test_no_open_redirect_through_post_logout_redirect_uri(op):
    tokens = op.tokens()
    for uri in (POST_LOGOUT + "/x", "https://evil.example/bye", POST_LOGOUT.replace("https", "http")):
        response = op.http.get("/caf/logout?" + urlencode({"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": uri}))
        assert response.status_code == 400 and "Location" not in response.headers


def test_pkce_challenge_without_verifier_refused(op):
    _, challenge = pkce_pair()
    code = op.code(code_challenge=challenge, code_challenge_method="S256")
    response = exchange(op.http, "caf", op.client_id, op.secret, code)
    assert response.get_json() == {"error": "invalid_request", "error_description": "Missing 'code_verifier'"}


def test_pkce_verifier_without_challenge_refused(op):
    response = exchange(op.http, "caf", op.client_id, op.secret, op.code(), verifier="a" * 64)
    assert response.get_json()["error"] == "invalid_request"


def test_pkce_plain_refused(op):
    params = query(location(op.authorize(code_challenge="a" * 43, code_challenge_method="plain")))
    assert params["error"] == "invalid_request"


def test_codes_single_use_and_short_lived(op, app):
    assert app.config["IDP_SETTINGS"].tokens.code_ttl <= 60
    code = op.code()
    assert exchange(op.http, "caf", op.client_id, op.secret, code).status_code == 200
    assert exchange(op.http, "caf", op.client_id, op.secret, code).get_json()["error"] == "invalid_grant"


def test_refresh_rotation_and_family_revocation(op, app, monkeypatch):
    tokens = op.tokens()
    first = token_request(op.http, "caf", op.client_id, op.secret, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200
    past_refresh_grace(monkeypatch, app)  # reuse within the grace period gets the same successor
    reuse = token_request(op.http, "caf", op.client_id, op.secret, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert reuse.get_json()["error"] == "invalid_grant"
    latest = token_request(op.http, "caf", op.client_id, op.secret, {"grant_type": "refresh_token", "refresh_token": first.get_json()["refresh_token"]})
    assert latest.get_json()["error"] == "invalid_grant"


def test_no_implicit_nor_password_grant(op):
    for response_type in ("token", "id_token token", "code id_token"):
        assert query(location(op.authorize(response_type=response_type)))["error"] == "unsupported_response_type"
    response = token_request(op.http, "caf", op.client_id, op.secret,
                             {"grant_type": "password", "username": "1840312345678", "password": "Allocation2024"})
    assert response.get_json()["error"] == "unsupported_grant_type"


def test_mix_up_defence_iss_in_every_authorization_response(op):
    assert query(op.login())["iss"] == op.issuer
    assert query(location(op.authorize(prompt="none", max_age="0")))["iss"] == op.issuer  # error response
    other = OP(op.app, op.http, tenant="ameli")
    assert query(location(other.authorize(prompt="none")))["iss"] == "http://idp.test/ameli"


def test_tokens_bound_to_their_client(op, app):
    thief_id, thief_secret = make_client(app, "caf", first_party=True)
    code = op.code()
    assert exchange(op.http, "caf", thief_id, thief_secret, code).get_json()["error"] == "invalid_grant"
    tokens = op.tokens()
    stolen = token_request(op.http, "caf", thief_id, thief_secret, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert stolen.get_json()["error"] == "invalid_grant"


def _hint_refused(op, token):
    params = query(location(op.authorize(prompt="none", id_token_hint=token)))
    return params.get("error") == "invalid_request"


def test_alg_none_id_token_hint_refused(op):
    claims = op.id_token(op.tokens())
    token = b64(json.dumps({"alg": "none"}).encode()) + "." + b64(json.dumps(claims).encode()) + "."
    assert _hint_refused(op, token)


def test_hs256_with_public_key_id_token_hint_refused(op):
    tokens = op.tokens()
    claims = op.id_token(tokens)
    jwk = next(k for k in op.http.get("/caf/jwks.json").get_json()["keys"] if k["kty"] == "RSA")
    from joserfc.jwk import RSAKey

    public_pem = RSAKey.import_key(jwk).as_pem(private=False)
    signing_input = b64(json.dumps({"alg": "HS256", "kid": jwk["kid"]}).encode()) + "." + b64(json.dumps(claims).encode())
    signature = b64(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())
    assert _hint_refused(op, signing_input + "." + signature)


def test_alg_none_logout_hint_refused(op):
    claims = op.id_token(op.tokens())
    token = b64(json.dumps({"alg": "none"}).encode()) + "." + b64(json.dumps(claims).encode()) + "."
    response = op.http.get("/caf/logout?" + urlencode({"id_token_hint": token, "post_logout_redirect_uri": POST_LOGOUT}))
    assert response.status_code == 400


def test_clickjacking_headers_on_pages(op):
    login_url = location(op.authorize())
    pages = [op.http.get("/"), op.http.get(path_of(login_url)), op.http.get("/caf/logout"),
             op.authorize(redirect_uri="https://evil.example/")]
    for page in pages:
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"


def test_csrf_on_every_form(op):
    login_url = location(op.authorize())
    no_token = op.http.post(path_of(login_url), data={"identifier": "1840312345678", "password": "Allocation2024"})
    assert no_token.status_code == 400 and "Formulaire expiré" in no_token.get_data(as_text=True)
    op.login()
    consent_op = OP(op.app, op.http, first_party=False)
    url = location(consent_op.authorize(prompt="consent"))
    assert url.endswith("/consent")
    forged = op.http.post(path_of(url), data={"decision": "allow"})
    assert forged.status_code == 400


def test_no_cors_on_authorization_endpoint(op):
    response = op.http.get("/caf/authorize", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = op.http.options("/caf/authorize", headers={"Origin": "https://evil.example",
                                                           "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_cache_headers_on_token_responses(op):
    code = op.code()
    ok = exchange(op.http, "caf", op.client_id, op.secret, code)
    error = exchange(op.http, "caf", op.client_id, op.secret, code)
    for response in (ok, error):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Pragma"] == "no-cache"
