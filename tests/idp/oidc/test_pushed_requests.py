"""Pushed authorization requests (RFC 9126): /par, request_uri at /authorize, requiring PAR."""

from __future__ import annotations

import base64
import json
import time
import uuid
from urllib.parse import urlencode

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from helpers import (REDIRECT, ACCOUNTS, exchange, location, make_account, make_client, page_text,
                     pkce_pair, query, submit_login)

PREFIX = "urn:ietf:params:oauth:request_uri:"


def basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def auth_params(client_id, challenge, **extra):
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "openid",
              "state": "st4te", "nonce": "n0nce", "code_challenge": challenge, "code_challenge_method": "S256"}
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def push(http, client_id, secret, challenge, tenant="caf", headers=None, **extra):
    return http.post(f"/{tenant}/par", data=auth_params(client_id, challenge, **extra),
                     headers=headers if headers is not None else basic(client_id, secret))


def authorize_with(http, client_id, request_uri, tenant="caf", **extra):
    return http.get(f"/{tenant}/authorize?" + urlencode({"client_id": client_id, "request_uri": request_uri, **extra}))


def login_and_code(http, response, tenant="caf"):
    url = location(response)
    ident, pwd = ACCOUNTS[tenant]
    url = location(submit_login(http, url, ident, pwd))
    return query(url)


def test_pushed_request_then_authorize_with_request_uri_gives_code(http, app):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    verifier, challenge = pkce_pair()
    pushed = push(http, client_id, secret, challenge)
    assert pushed.status_code == 201, pushed.get_json()
    body = pushed.get_json()
    assert body["expires_in"] == 60 and body["request_uri"].startswith(PREFIX)
    assert pushed.headers["Cache-Control"] == "no-store"
    params = login_and_code(http, authorize_with(http, client_id, body["request_uri"]))
    assert params["state"] == "st4te" and params["iss"] == "http://idp.test/caf"
    tokens = exchange(http, "caf", client_id, secret, params["code"], verifier)
    assert tokens.status_code == 200, tokens.get_json()


def test_request_uri_is_single_use(http, app):
    client_id, secret = make_client(app, first_party=True)
    uri = push(http, client_id, secret, pkce_pair()[1]).get_json()["request_uri"]
    assert authorize_with(http, client_id, uri).status_code in (302, 303)
    again = authorize_with(http, client_id, uri)
    assert again.status_code == 400
    assert "invalid_request_uri" in page_text(again)


def test_request_uri_expires_after_sixty_seconds(http, app, monkeypatch):
    client_id, secret = make_client(app, first_party=True)
    uri = push(http, client_id, secret, pkce_pair()[1]).get_json()["request_uri"]
    import idp.store.pending as pending

    real = pending.utcnow
    from datetime import timedelta
    monkeypatch.setattr(pending, "utcnow", lambda: real() + timedelta(seconds=61))
    response = authorize_with(http, client_id, uri)
    assert response.status_code == 400 and "invalid_request_uri" in page_text(response)


def test_request_uri_is_bound_to_the_client(http, app):
    client_id, secret = make_client(app, first_party=True)
    other, _ = make_client(app, first_party=True)
    uri = push(http, client_id, secret, pkce_pair()[1]).get_json()["request_uri"]
    response = authorize_with(http, other, uri)
    assert response.status_code == 400 and "invalid_request_uri" in page_text(response)
    # and used up: the rightful client cannot use it after that attempt either
    assert authorize_with(http, client_id, uri).status_code == 400


def test_unknown_request_uri_is_refused(http, app):
    client_id, _ = make_client(app, first_party=True)
    response = authorize_with(http, client_id, PREFIX + "nope")
    assert response.status_code == 400 and "invalid_request_uri" in page_text(response)


def test_parameter_differing_from_the_pushed_one_is_refused(http, app):
    client_id, secret = make_client(app, first_party=True)
    uri = push(http, client_id, secret, pkce_pair()[1]).get_json()["request_uri"]
    response = authorize_with(http, client_id, uri, redirect_uri="https://evil.example/cb")
    assert response.status_code == 400
    assert "'redirect_uri' differs from the pushed request." in page_text(response)


def test_same_parameter_beside_request_uri_is_accepted(http, app):
    client_id, secret = make_client(app, first_party=True)
    uri = push(http, client_id, secret, pkce_pair()[1]).get_json()["request_uri"]
    assert authorize_with(http, client_id, uri, scope="openid").status_code in (302, 303)


@pytest.mark.parametrize("extra, error, description", [
    ({"request_uri": PREFIX + "x"}, "invalid_request", "'request_uri' cannot be pushed (RFC 9126 section 2.1)."),
    ({"redirect_uri": "https://evil.example/cb"}, "invalid_request", None),
    ({"response_mode": "fragment"}, "invalid_request", "Unsupported 'response_mode': fragment."),
    ({"prompt": "none login"}, "invalid_request", "'prompt=none' cannot be combined with other values."),
    ({"max_age": "soon"}, "invalid_request", "'max_age' must be a non-negative integer."),
    ({"code_challenge_method": "plain"}, "invalid_request", "'code_challenge_method' must be 'S256'."),
    ({"claims": json.dumps({"id_token": {"sub": {"value": 42}}})}, "invalid_request",
     "The 'sub' value of 'claims' must be a string."),
    ({"claims": json.dumps({"userinfo": {"sub": {"values": []}}})}, "invalid_request",
     "The 'sub' value of 'claims' must be a string."),
])
def test_pushed_request_is_validated_as_authorize_would(http, app, extra, error, description):
    client_id, secret = make_client(app, first_party=True)
    response = push(http, client_id, secret, pkce_pair()[1], **extra)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == error
    if description:
        assert body["error_description"] == description
    assert response.headers["Cache-Control"] == "no-store"


def test_a_well_formed_sub_value_is_pushed_and_checked_at_authorize(http, app):
    """/par has no session to compare a ``sub`` value with: it keeps the request; /authorize
    answers it for that person only (here nobody is logged in: login_required)."""
    client_id, secret = make_client(app, first_party=True)
    pushed = push(http, client_id, secret, pkce_pair()[1], prompt="none",
                  claims=json.dumps({"id_token": {"sub": {"value": "someone"}}}))
    assert pushed.status_code == 201, pushed.get_json()
    answer = query(location(authorize_with(http, client_id, pushed.get_json()["request_uri"])))
    assert answer["error"] == "login_required" and "code" not in answer


def test_pushed_request_needs_client_authentication(http, app):
    client_id, _ = make_client(app, first_party=True)
    response = push(http, client_id, "wrong-secret", pkce_pair()[1])
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"
    missing = push(http, client_id, None, pkce_pair()[1], headers={})
    assert missing.get_json()["error"] == "invalid_client"


def test_pushed_client_id_must_be_the_authenticated_client(http, app):
    client_id, secret = make_client(app, first_party=True)
    other, _ = make_client(app, first_party=True)
    response = http.post("/caf/par", data=auth_params(other, pkce_pair()[1]), headers=basic(client_id, secret))
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_request",
                                   "error_description": "'client_id' is not the authenticated client."}


def test_public_client_pushes_with_its_client_id(http, app):
    client_id, _ = make_client(app, public=True, first_party=True)
    response = http.post("/caf/par", data=auth_params(client_id, pkce_pair()[1]))
    assert response.status_code == 201


def test_client_secret_post_is_accepted_and_not_stored_in_the_request(http, app):
    client_id, secret = make_client(app, first_party=True, auth_method="client_secret_post")
    make_account(app)
    response = http.post("/caf/par", data={**auth_params(client_id, pkce_pair()[1]), "client_secret": secret})
    assert response.status_code == 201
    from idp.store import pending
    with app.test_request_context("/caf/authorize"):
        from flask import g
        g.tenant = app.extensions["idp_tenants"]["caf"]
        stored = pending.find(response.get_json()["request_uri"][len(PREFIX):], step="par", kind="par")
        assert "client_secret" not in stored.data["params"]


def test_private_key_jwt_client_pushes_with_the_par_endpoint_as_audience(http, app, tmp_path):
    key = ECKey.generate_key("P-256", parameters={"alg": "ES256"}, private=True, auto_kid=True)
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    client_id, _ = make_client(app, auth_method="private_key_jwt", jwks_file=str(jwks_file), first_party=True)
    now = int(time.time())
    assertion = jwt.encode({"alg": "ES256", "kid": key.kid},
                           {"iss": client_id, "sub": client_id, "aud": "http://idp.test/caf/par", "iat": now,
                            "exp": now + 60, "jti": uuid.uuid4().hex}, key)
    response = http.post("/caf/par", data={
        **auth_params(client_id, pkce_pair()[1]), "client_assertion": assertion,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})
    assert response.status_code == 201, response.get_json()


def test_client_requiring_par_is_refused_a_plain_request(http, app):
    client_id, secret = make_client(app, first_party=True, require_pushed_authorization_requests=True)
    _, challenge = pkce_pair()
    plain = http.get("/caf/authorize?" + urlencode(auth_params(client_id, challenge)))
    assert plain.status_code == 400
    assert "This client must push its authorization requests (PAR, RFC 9126)." in page_text(plain)
    uri = push(http, client_id, secret, challenge).get_json()["request_uri"]
    assert authorize_with(http, client_id, uri).status_code in (302, 303)


def test_tenant_requiring_par_refuses_every_plain_request(http, app, monkeypatch):
    import dataclasses

    tenant = app.extensions["idp_tenants"]["caf"]
    config = tenant.config.model_copy(update={"require_pushed_authorization_requests": True})
    monkeypatch.setitem(app.extensions["idp_tenants"], "caf", dataclasses.replace(tenant, config=config))
    client_id, _ = make_client(app, first_party=True)
    plain = http.get("/caf/authorize?" + urlencode(auth_params(client_id, pkce_pair()[1])))
    assert plain.status_code == 400 and "must push" in page_text(plain)
    from idp.oidc.discovery import metadata   # the served copy is made once per process

    assert metadata(app.extensions["idp_tenants"]["caf"])["require_pushed_authorization_requests"] is True


def test_discovery_and_client_metadata_name_par(http, app, runner):
    meta = http.get("/caf/.well-known/openid-configuration").get_json()
    assert meta["pushed_authorization_request_endpoint"] == "http://idp.test/caf/par"
    assert meta["require_pushed_authorization_requests"] is False
    result = runner.invoke(args=["clients", "create", "--tenant", "caf", "--name", "PAR", "--redirect-uri", REDIRECT,
                                 "--require-par", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["require_pushed_authorization_requests"] is True


def test_interaction_resumes_with_the_pushed_parameters(http, app):
    """The pushed request survives the login page: the interaction holds its parameters."""
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    verifier, challenge = pkce_pair()
    uri = push(http, client_id, secret, challenge, state="pushed-state").get_json()["request_uri"]
    first = authorize_with(http, client_id, uri)
    assert "/interaction/" in location(first)
    params = login_and_code(http, first)
    assert params["state"] == "pushed-state"
