"""private_key_jwt (RFC 7523): bounded lifetime, jti remembered until exp, clients without keys."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey

from helpers import make_client
from live import at_once, served  # noqa: F401  (fixture)

TOKEN = "http://idp.test/caf/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def make_signer(app, tmp_path):
    """A private_key_jwt client (client_credentials) and its private key."""
    key = ECKey.generate_key("P-256", parameters={"alg": "ES256"}, private=True, auto_kid=True)
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    client_id, _ = make_client(app, auth_method="private_key_jwt", jwks_file=str(jwks_file),
                               grant_types=["client_credentials"])
    return client_id, key


@pytest.fixture
def signer(app, tmp_path):
    return make_signer(app, tmp_path)


def assertion(client_id, key, lifetime=60, iat=True, jti=None, aud=TOKEN):
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "exp": now + lifetime,
              "jti": jti or uuid.uuid4().hex}
    if iat:
        claims["iat"] = now
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def token_with(http, client_assertion):
    return http.post("/caf/token", data={"grant_type": "client_credentials", "client_assertion": client_assertion,
                                         "client_assertion_type": ASSERTION_TYPE})


def test_assertion_of_five_minutes_is_accepted(http, signer):
    assert token_with(http, assertion(*signer, lifetime=300)).status_code == 200


def test_assertion_living_longer_than_five_minutes_is_refused(http, signer):
    response = token_with(http, assertion(*signer, lifetime=3600))
    assert response.status_code == 400  # no Authorization header: 400 (RFC 6749 §5.2)
    assert response.get_json() == {"error": "invalid_client",
                                   "error_description": "The assertion lives longer than 300 seconds (exp - iat)."}


def test_assertion_without_iat_expiring_far_ahead_is_refused(http, signer):
    response = token_with(http, assertion(*signer, lifetime=365 * 86400, iat=False))
    assert response.get_json() == {"error": "invalid_client",
                                   "error_description": "The assertion expires more than 300 seconds from now."}
    assert token_with(http, assertion(*signer, lifetime=120, iat=False)).status_code == 200


def test_assertion_issued_long_ago_is_refused(http, signer):
    client_id, key = signer
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": TOKEN, "iat": now - 3000, "exp": now + 60, "jti": "old"}
    response = token_with(http, jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key))
    assert response.get_json()["error_description"] == "The assertion lives longer than 300 seconds (exp - iat)."


def test_jti_is_remembered_in_the_database_until_exp(http, app, signer, caplog):
    from idp.store.db import db, utcnow
    from idp.store.models import UsedAssertion
    from idp.oidc.client_assertion import LEEWAY, replay_key

    client_id, key = signer
    first = assertion(client_id, key, lifetime=240, jti="once")
    assert token_with(http, first).status_code == 200
    with app.app_context():
        row = db.session.get(UsedAssertion, replay_key("caf", client_id, "once"))
        left = (row.expires_at - utcnow()).total_seconds()
    assert 240 - 5 <= left <= 240 + LEEWAY + 2  # until exp (and the leeway), not a fixed period
    replay = token_with(http, first)
    assert replay.get_json() == {"error": "invalid_client", "error_description": "JWT ID is used before."}
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "idp.audit"]
    assert {"event": "client_assertion", "outcome": "failure", "reason": "replayed",
            "client_id": client_id}.items() <= events[-1].items()


def test_assertion_without_jti_is_refused(http, signer):
    client_id, key = signer
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": TOKEN, "iat": now, "exp": now + 60}
    response = token_with(http, jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key))
    assert response.get_json() == {"error": "invalid_client", "error_description": "Missing JWT ID."}


@pytest.mark.parametrize("method", ["client_secret_basic", "none"])
def test_assertion_naming_a_client_without_keys_is_invalid_client(http, app, method):
    key = ECKey.generate_key("P-256", parameters={"alg": "ES256"}, private=True, auto_kid=True)
    options = {"public": True} if method == "none" else {"grant_types": ["client_credentials"]}
    client_id, _ = make_client(app, **options)
    response = token_with(http, assertion(client_id, key))
    assert response.status_code == 400  # no Authorization header: 400 (RFC 6749 §5.2)
    assert response.get_json() == {"error": "invalid_client",
                                   "error_description": "The client is not registered for private_key_jwt."}


def test_simultaneous_uses_of_one_assertion_have_one_winner(app, served, tmp_path):
    """On a served instance, with the jti memory in Redis on PostgreSQL runs."""
    client_id, key = make_signer(app, tmp_path)
    token = assertion(client_id, key, jti="raced")
    answers = at_once(8, lambda _: requests.post(f"{served}/caf/token", timeout=10, data={
        "grant_type": "client_credentials", "client_assertion": token, "client_assertion_type": ASSERTION_TYPE}))
    assert sorted(a.status_code for a in answers) == [200] + [400] * 7
    assert {a.json().get("error_description") for a in answers if a.status_code == 400} == {"JWT ID is used before."}


def test_a_replay_is_refused_by_another_worker_whatever_the_counters(http, app, signer):
    """Each worker's counters on their own (no [redis], or Redis down and each process on
    its memory): the jti memory is the database's, so the other worker still refuses."""
    from idp.app import create_app
    from idp.security.counters import MemoryCounters

    other_worker = create_app({"TESTING": True}, settings=app.config["IDP_SETTINGS"])
    other_worker.extensions["idp_counters"] = MemoryCounters()
    app.extensions["idp_counters"], shared = MemoryCounters(), app.extensions["idp_counters"]
    try:
        first = assertion(*signer)
        assert token_with(http, first).status_code == 200
        assert token_with(other_worker.test_client(), first).get_json() == {
            "error": "invalid_client", "error_description": "JWT ID is used before."}
    finally:
        app.extensions["idp_counters"] = shared


def test_a_refused_grant_does_not_forget_the_assertion(http, app, tmp_path):
    """The jti is committed before the grant runs: an assertion spent on a refused code
    exchange cannot be used again."""
    key = ECKey.generate_key("P-256", parameters={"alg": "ES256"}, private=True, auto_kid=True)
    jwks_file = tmp_path / "code-jwks.json"
    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    client_id, _ = make_client(app, auth_method="private_key_jwt", jwks_file=str(jwks_file))
    signed = assertion(client_id, key)
    refused = http.post("/caf/token", data={"grant_type": "authorization_code", "code": "no-such-code",
                                            "redirect_uri": "https://rp.example/cb", "client_assertion": signed,
                                            "client_assertion_type": ASSERTION_TYPE})
    assert refused.get_json()["error"] == "invalid_grant"
    assert token_with(http, signed).get_json() == {"error": "invalid_client",
                                                   "error_description": "JWT ID is used before."}
