"""Introspection (RFC 7662) and revocation (RFC 7009), for confidential clients."""

from __future__ import annotations

import base64

from helpers import code_tokens, make_client, token_request


def basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_introspect_access_and_refresh_tokens(http, app):
    client_id, secret, tokens = code_tokens(http, app)
    at = http.post("/caf/introspect", data={"token": tokens["access_token"]}, headers=basic(client_id, secret)).get_json()
    assert at["active"] is True and at["client_id"] == client_id and at["scope"] == "openid profile email"
    assert at["iss"] == "http://idp.test/caf" and at["token_type"] == "Bearer"
    rt = http.post("/caf/introspect", data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
                   headers=basic(client_id, secret)).get_json()
    assert rt["active"] is True and rt["token_type"] == "refresh_token"


def test_introspect_unknown_or_foreign_token_is_inactive(http, app):
    client_id, secret, tokens = code_tokens(http, app)
    other_id, other_secret = make_client(app)
    assert http.post("/caf/introspect", data={"token": "nope"}, headers=basic(client_id, secret)).get_json() == {"active": False}
    foreign = http.post("/caf/introspect", data={"token": tokens["access_token"]}, headers=basic(other_id, other_secret))
    assert foreign.get_json() == {"active": False}


def test_introspection_requires_confidential_client(http, app):
    _, _, tokens = code_tokens(http, app)
    public_id, _ = make_client(app, public=True)
    response = http.post("/caf/introspect", data={"token": tokens["access_token"], "client_id": public_id})
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"


def test_revoke_access_token(http, app):
    client_id, secret, tokens = code_tokens(http, app)
    response = http.post("/caf/revoke", data={"token": tokens["access_token"]}, headers=basic(client_id, secret))
    assert response.status_code == 200
    info = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.get_json()["error_description"] == "the access token has been revoked"
    again = http.post("/caf/introspect", data={"token": tokens["access_token"]}, headers=basic(client_id, secret))
    assert again.get_json() == {"active": False}


def test_revoke_refresh_token_revokes_family(http, app):
    client_id, secret, tokens = code_tokens(http, app)
    assert http.post("/caf/revoke", data={"token": tokens["refresh_token"]}, headers=basic(client_id, secret)).status_code == 200
    response = token_request(http, "caf", client_id, secret, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert response.get_json()["error"] == "invalid_grant"
    assert http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 401


def test_revoking_another_clients_token_is_refused(http, app):
    client_id, secret, tokens = code_tokens(http, app)
    other_id, other_secret = make_client(app)
    response = http.post("/caf/revoke", data={"token": tokens["access_token"]}, headers=basic(other_id, other_secret))
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_grant"
    assert http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 200
