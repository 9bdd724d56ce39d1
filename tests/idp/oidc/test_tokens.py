"""Token endpoint: refresh rotation, client credentials, private_key_jwt, error format."""

from __future__ import annotations

import time
import uuid

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from helpers import code_tokens, make_client, past_refresh_grace, token_request


def refresh(http, client_id, secret, token, **extra):
    return token_request(http, "caf", client_id, secret, {"grant_type": "refresh_token", "refresh_token": token, **extra})


def test_refresh_rotates_and_reuse_revokes_family(http, app, monkeypatch):
    client_id, secret, tokens = code_tokens(http, app)
    first = refresh(http, client_id, secret, tokens["refresh_token"])
    assert first.status_code == 200, first.get_json()
    rotated = first.get_json()
    assert rotated["refresh_token"] != tokens["refresh_token"] and rotated["access_token"]
    past_refresh_grace(monkeypatch, app)
    reuse = refresh(http, client_id, secret, tokens["refresh_token"])
    assert reuse.status_code == 400 and reuse.get_json()["error"] == "invalid_grant"
    # the whole family is gone: the rotated token and the access tokens too
    assert refresh(http, client_id, secret, rotated["refresh_token"]).get_json()["error"] == "invalid_grant"
    info = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {rotated['access_token']}"})
    assert info.status_code == 401


def test_refresh_keeps_auth_context_and_narrows_scope(http, app):
    client_id, secret, tokens = code_tokens(http, app, scope="openid profile email")
    response = refresh(http, client_id, secret, tokens["refresh_token"], scope="openid email")
    assert response.get_json()["scope"] == "openid email"
    wider = refresh(http, client_id, secret, response.get_json()["refresh_token"], scope="openid phone")
    assert wider.get_json()["error"] == "invalid_scope"


def test_refresh_token_of_another_client_refused(http, app):
    client_id, secret, tokens = code_tokens(http, app)
    other_id, other_secret = make_client(app)
    response = refresh(http, other_id, other_secret, tokens["refresh_token"])
    assert response.get_json()["error"] == "invalid_grant"


def test_client_credentials(http, app):
    client_id, secret = make_client(app, grant_types=["client_credentials"], scope="openid profile")
    response = token_request(http, "caf", client_id, secret, {"grant_type": "client_credentials", "scope": "profile"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert "refresh_token" not in body and "id_token" not in body
    assert response.headers["Cache-Control"] == "no-store"
    keys = KeySet.import_key_set(http.get("/caf/jwks.json").get_json())
    claims = jwt.decode(body["access_token"], keys).claims
    assert claims["sub"] == client_id and claims["client_id"] == client_id


def test_grant_type_not_allowed_for_client(http, app):
    client_id, secret = make_client(app, grant_types=["authorization_code"])
    response = token_request(http, "caf", client_id, secret, {"grant_type": "client_credentials"})
    assert response.get_json()["error"] == "unauthorized_client"


def test_unsupported_grant_types(http, app):
    client_id, secret = make_client(app)
    for grant in ("password", "implicit", "urn:ietf:params:oauth:grant-type:device_code"):
        response = token_request(http, "caf", client_id, secret, {"grant_type": grant, "username": "x", "password": "y"})
        assert response.status_code == 400
        assert response.get_json()["error"] == "unsupported_grant_type", grant


def test_public_client_cannot_use_client_credentials(http, app):
    client_id, _ = make_client(app, public=True)
    response = token_request(http, "caf", client_id, None, {"grant_type": "client_credentials"}, auth="none")
    assert response.get_json()["error"] in ("invalid_client", "unauthorized_client")


def test_private_key_jwt(http, app, tmp_path):
    key = ECKey.generate_key("P-256", parameters={"alg": "ES256"}, private=True, auto_kid=True)
    jwks_file = tmp_path / "jwks.json"
    import json

    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    client_id, secret = make_client(app, auth_method="private_key_jwt", jwks_file=str(jwks_file),
                                    grant_types=["client_credentials"])
    assert secret is None

    def assertion(aud="http://idp.test/caf/token", jti=None):
        now = int(time.time())
        claims = {"iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 60,
                  "jti": jti or uuid.uuid4().hex}
        return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)

    def call(token):
        return http.post("/caf/token", data={
            "grant_type": "client_credentials", "client_assertion": token,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})

    first = assertion(jti="one")
    assert call(first).status_code == 200
    replay = call(first)
    assert replay.get_json() == {"error": "invalid_client", "error_description": "JWT ID is used before."}
    wrong_aud = call(assertion(aud="http://idp.test/ameli/token"))
    assert wrong_aud.get_json()["error"] == "invalid_client"


def test_token_errors_are_json_no_store(http, app):
    response = http.post("/caf/token", data={"grant_type": "authorization_code", "code": "x"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"
