"""UserInfo (OIDC Core §5.3): GET, POST with header, POST with body; claims by scope."""

from __future__ import annotations

from helpers import code_tokens, make_client, token_request


def test_userinfo_get_post_header_post_body(http, app):
    _, _, tokens = code_tokens(http, app, scope="openid profile email")
    at = tokens["access_token"]
    get = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {at}"})
    post_header = http.post("/caf/userinfo", headers={"Authorization": f"Bearer {at}"})
    post_body = http.post("/caf/userinfo", data={"access_token": at})
    for response in (get, post_header, post_body):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
    body = get.get_json()
    assert body == post_header.get_json() == post_body.get_json()
    assert body["email"] == "camille@example.fr" and body["given_name"] == "Camille"
    assert body["name"] == "Camille Martin" and body["birthdate"] == "1984-03-12"


def test_userinfo_claims_follow_scope(http, app):
    _, _, tokens = code_tokens(http, app, scope="openid email")
    body = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert set(body) == {"sub", "email", "email_verified"}


def test_userinfo_franceconnect_scopes(http, app):
    _, _, tokens = code_tokens(http, app, scope="openid given_name family_name birthdate")
    body = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert body == {"sub": body["sub"], "given_name": "Camille", "family_name": "Martin", "birthdate": "1984-03-12"}


def test_userinfo_refusals(http, app):
    missing = http.get("/caf/userinfo")
    assert missing.status_code == 401 and missing.get_json()["error"] == "invalid_request"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    garbage = http.get("/caf/userinfo", headers={"Authorization": "Bearer abc.def.ghi"})
    assert garbage.status_code == 401 and garbage.get_json()["error"] == "invalid_token"


def test_userinfo_refuses_client_credentials_token(http, app):
    client_id, secret = make_client(app, grant_types=["client_credentials"])
    at = token_request(http, "caf", client_id, secret, {"grant_type": "client_credentials", "scope": "openid"}).get_json()["access_token"]
    response = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {at}"})
    assert response.status_code == 403 and response.get_json()["error"] == "insufficient_scope"


def test_userinfo_expired_token(http, app, monkeypatch):
    import time

    _, _, tokens = code_tokens(http, app)
    real = time.time
    monkeypatch.setattr("idp.oidc.tokens.time.time", lambda: real() + 3600)
    response = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert response.get_json() == {"error": "invalid_token", "error_description": "the access token has expired"}
