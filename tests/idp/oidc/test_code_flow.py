"""Authorization code flow, end to end through the Flask test client."""

from __future__ import annotations

import time

from joserfc import jwt
from joserfc.jwk import KeySet

from helpers import (REDIRECT, authorize, code_tokens, exchange, location, login_flow, make_account,
                     make_client, pkce_pair, query, submit_login, path_of)


def jwks(http, tenant="caf"):
    return KeySet.import_key_set(http.get(f"/{tenant}/jwks.json").get_json())


def test_code_flow_issues_signed_id_token_with_every_claim(http, app):
    client_id, secret, tokens = code_tokens(http, app, scope="openid profile email")
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    decoded = jwt.decode(tokens["id_token"], jwks(http), algorithms=["RS256"])
    claims = decoded.claims
    assert decoded.header["alg"] == "RS256" and decoded.header["kid"]
    assert claims["iss"] == "http://idp.test/caf"
    assert claims["aud"] == [client_id]
    assert claims["nonce"] == "n0nce"
    for name in ("sub", "exp", "iat", "auth_time", "acr", "amr", "sid", "at_hash"):
        assert name in claims, name
    assert claims["acr"] == "eidas1" and claims["amr"] == ["pwd"]
    assert claims["exp"] > time.time()


def test_access_token_is_rfc9068_jwt(http, app):
    client_id, _, tokens = code_tokens(http, app)
    decoded = jwt.decode(tokens["access_token"], jwks(http), algorithms=["ES256"])
    assert decoded.header["typ"] == "at+jwt"
    assert decoded.claims["client_id"] == client_id
    assert decoded.claims["iss"] == "http://idp.test/caf"
    assert {"jti", "exp", "iat", "sub", "scope", "aud"} <= set(decoded.claims)


def test_authorization_response_carries_iss_and_state(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    url = login_flow(http, "caf", client_id)
    params = query(url)
    assert url.startswith(REDIRECT)
    assert params["iss"] == "http://idp.test/caf" and params["state"] == "st4te" and params["code"]


def test_code_is_single_use_and_replay_revokes_tokens(http, app):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    code = query(login_flow(http, "caf", client_id, scope="openid offline_access"))["code"]
    first = exchange(http, "caf", client_id, secret, code)
    assert first.status_code == 200
    tokens = first.get_json()
    replay = exchange(http, "caf", client_id, secret, code)
    assert replay.status_code == 400
    assert replay.get_json()["error"] == "invalid_grant"
    assert replay.headers["Cache-Control"] == "no-store"
    # the access token issued from that code no longer works
    info = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 401 and info.get_json()["error"] == "invalid_token"
    refreshed = exchange_refresh(http, client_id, secret, tokens["refresh_token"])
    assert refreshed.get_json()["error"] == "invalid_grant"


def exchange_refresh(http, client_id, secret, refresh_token, tenant="caf"):
    from helpers import token_request

    return token_request(http, tenant, client_id, secret,
                         {"grant_type": "refresh_token", "refresh_token": refresh_token})


def test_expired_code_is_refused(http, app, monkeypatch):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    code = query(login_flow(http, "caf", client_id))["code"]
    import idp.store.db

    real = idp.store.db.utcnow
    monkeypatch.setattr("idp.oidc.grants.utcnow", lambda: real() + __import__("datetime").timedelta(seconds=61))
    response = exchange(http, "caf", client_id, secret, code)
    assert response.get_json()["error"] == "invalid_grant"
    assert "expired" in response.get_json()["error_description"]


def test_code_bound_to_redirect_uri_and_client(http, app):
    client_id, secret = make_client(app, first_party=True)
    other_id, other_secret = make_client(app, first_party=True)
    make_account(app)
    code = query(login_flow(http, "caf", client_id))["code"]
    wrong_client = exchange(http, "caf", other_id, other_secret, code)
    assert wrong_client.get_json()["error"] == "invalid_grant"
    code = query(login_flow(http, "caf", client_id))["code"]
    wrong_uri = exchange(http, "caf", client_id, secret, code, redirect_uri="https://rp.example/other")
    assert wrong_uri.get_json()["error"] == "invalid_grant"


def test_bad_client_secret_is_invalid_client(http, app):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    code = query(login_flow(http, "caf", client_id))["code"]
    response = exchange(http, "caf", client_id, "not-the-secret", code)
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


def test_client_secret_post(http, app):
    client_id, secret = make_client(app, first_party=True, auth_method="client_secret_post")
    make_account(app)
    code = query(login_flow(http, "caf", client_id))["code"]
    assert exchange(http, "caf", client_id, secret, code, auth="basic").get_json()["error"] == "invalid_client"
    code = query(login_flow(http, "caf", client_id))["code"]
    assert exchange(http, "caf", client_id, secret, code, auth="post").status_code == 200


def test_public_client_needs_pkce(http, app):
    client_id, _ = make_client(app, first_party=True, public=True)
    make_account(app)
    response = authorize(http, "caf", client_id)
    params = query(location(response))
    assert params["error"] == "invalid_request"
    assert "code_challenge" in params["error_description"]
    verifier, challenge = pkce_pair()
    code = query(login_flow(http, "caf", client_id, code_challenge=challenge, code_challenge_method="S256"))["code"]
    missing = exchange(http, "caf", client_id, None, code, auth="none")
    assert missing.get_json()["error"] == "invalid_request"
    code = query(login_flow(http, "caf", client_id, code_challenge=challenge, code_challenge_method="S256"))["code"]
    wrong = exchange(http, "caf", client_id, None, code, verifier="x" * 50, auth="none")
    assert wrong.get_json()["error"] == "invalid_grant"
    code = query(login_flow(http, "caf", client_id, code_challenge=challenge, code_challenge_method="S256"))["code"]
    ok = exchange(http, "caf", client_id, None, code, verifier=verifier, auth="none")
    assert ok.status_code == 200, ok.get_json()


def test_pkce_plain_and_missing_method_are_refused(http, app):
    client_id, _ = make_client(app, first_party=True)
    for method in ("plain", None):
        response = authorize(http, "caf", client_id, code_challenge="a" * 43, code_challenge_method=method)
        params = query(location(response))
        assert params["error"] == "invalid_request"
        assert params["error_description"] == "'code_challenge_method' must be 'S256'."


def test_verifier_without_challenge_is_refused(http, app):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    code = query(login_flow(http, "caf", client_id))["code"]
    response = exchange(http, "caf", client_id, secret, code, verifier="v" * 50)
    assert response.get_json()["error"] == "invalid_request"


def test_wrong_password_same_error_as_unknown_identifier(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_url = location(authorize(http, "caf", client_id))
    wrong = submit_login(http, login_url, "1840312345678", "WrongPassword1")
    unknown = submit_login(http, login_url, "1840312345679", "Allocation2024")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "Identifiant ou mot de passe incorrect." in response.get_data(as_text=True)


def test_bad_identifier_format_gets_field_message(http, app):
    client_id, _ = make_client(app, first_party=True)
    login_url = location(authorize(http, "caf", client_id))
    response = submit_login(http, login_url, "12345", "Allocation2024")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="identifier-error"' in html and 'aria-invalid="true"' in html


def test_login_is_throttled_after_repeated_failures(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_url = location(authorize(http, "caf", client_id))
    for _ in range(5):
        submit_login(http, login_url, "1840312345678", "WrongPassword1")
    blocked = submit_login(http, login_url, "1840312345678", "Allocation2024")
    assert "Trop de tentatives. Réessayez dans 60 secondes." in blocked.get_data(as_text=True)


def test_password_rehashed_when_parameters_change(http, app):
    from idp.store.db import db, scoped_first
    from idp.store.models import Account

    client_id, _ = make_client(app, first_party=True)
    account_id = make_account(app)
    with app.app_context():
        from argon2 import PasswordHasher

        row = scoped_first(Account, "caf", id=account_id)
        row.password_hash = PasswordHasher(time_cost=1, memory_cost=32, parallelism=1).hash("Allocation2024")
        db.session.commit()
        old = row.password_hash
    login_flow(http, "caf", client_id)
    with app.app_context():
        new = scoped_first(Account, "caf", id=account_id).password_hash
    assert new != old and "m=64,t=1,p=1" in new


def test_lock_doubles_and_covers_unknown_identifiers(http, app):
    counters = app.extensions["idp_counters"]
    client_id, _ = make_client(app, first_party=True)
    login_url = location(authorize(http, "caf", client_id))
    for _ in range(5):
        submit_login(http, login_url, "2840312345678", "WrongPassword1")  # no such account
    blocked = submit_login(http, login_url, "2840312345678", "WrongPassword1").get_data(as_text=True)
    assert "Trop de tentatives. Réessayez dans 60 secondes." in blocked
    with app.test_request_context("/caf/"):
        from flask import g

        g.tenant = app.extensions["idp_tenants"]["caf"]
        from idp.accounts.login import _throttle_key

        key = _throttle_key("2840312345678")
    counters.delete("lock:" + key)
    for _ in range(5):
        submit_login(http, login_url, "2840312345678", "WrongPassword1")
    assert 60 < counters.locked_for("lock:" + key) <= 120  # the second lock is twice as long


def test_address_is_throttled_across_identifiers(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    login_url = location(authorize(http, "caf", client_id))
    for i in range(30):
        submit_login(http, login_url, f"18403123456{i:02d}", "WrongPassword1")
    blocked = submit_login(http, login_url, "1840312345678", "Allocation2024")
    assert "Trop de tentatives" in blocked.get_data(as_text=True)
