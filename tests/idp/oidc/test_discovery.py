"""Discovery (OIDC Discovery §3/§4) and JWKS."""

from __future__ import annotations


def test_discovery_document(http, app):
    response = http.get("/caf/.well-known/openid-configuration")
    doc = response.get_json()
    assert response.status_code == 200
    assert doc["issuer"] == "http://idp.test/caf"
    for name in ("authorization", "token", "userinfo", "end_session", "introspection", "revocation"):
        assert doc[f"{name}_endpoint"].startswith("http://idp.test/caf/")
    assert doc["response_types_supported"] == ["code"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_modes_supported"] == ["query", "form_post"]
    assert doc["authorization_response_iss_parameter_supported"] is True
    assert doc["backchannel_logout_supported"] is True
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "client_secret_post", "private_key_jwt", "none"}
    assert {"openid", "profile", "email", "identite_pivot"} <= set(doc["scopes_supported"])
    assert "implicit" not in doc["grant_types_supported"] and "password" not in doc["grant_types_supported"]
    assert doc["request_parameter_supported"] is False


def test_discovery_endpoints_really_exist(http, app):
    doc = http.get("/ameli/.well-known/openid-configuration").get_json()
    jwks = http.get(doc["jwks_uri"].replace("http://idp.test", ""))
    assert jwks.status_code == 200
    assert doc["issuer"] == "http://idp.test/ameli"


def test_jwks_publishes_next_active_and_is_cacheable(http, app):
    response = http.get("/caf/jwks.json")
    keys = response.get_json()["keys"]
    assert "max-age=300" in response.headers["Cache-Control"]
    assert {k["alg"] for k in keys} == {"RS256", "ES256"}
    assert len(keys) == 4  # active + next for each algorithm
    for key in keys:
        assert "d" not in key and "p" not in key and key["use"] == "sig" and key["kid"]


def test_unknown_tenant_is_404(http, app):
    assert http.get("/nowhere/.well-known/openid-configuration").status_code == 404


def test_security_headers(http, app):
    response = http.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "Service" in response.get_data(as_text=True) or response.status_code == 200
