"""DPoP binds the authorization code (RFC 9449 §10): a proof sent to ``/par``, or ``dpop_jkt``
at ``/par`` or ``/authorize``, names the key the token request must then prove;
``invalid_dpop_proof`` otherwise, and the code is not spent by the refusal."""

from __future__ import annotations

import base64

import pytest

from dpop_support import new_key, proof, server_nonce
from helpers import (REDIRECT, ACCOUNTS, authorize, location, make_account, make_client, page_text, pkce_pair,
                     query, submit_login)

PAR = "http://idp.test/caf/par"


def _basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def _pushed_code(http, app, headers=None, **extra):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    verifier, challenge = pkce_pair()
    data = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "openid",
            "state": "st4te", "code_challenge": challenge, "code_challenge_method": "S256", **extra}
    pushed = http.post("/caf/par", data=data, headers={**_basic(client_id, secret), **(headers or {})})
    assert pushed.status_code == 201, pushed.get_json()
    url = location(http.get(f"/caf/authorize?client_id={client_id}&request_uri={pushed.get_json()['request_uri']}"))
    code = query(location(submit_login(http, url, *ACCOUNTS["caf"])))["code"]
    return client_id, secret, code, verifier, pushed


def _exchange(http, app, client_id, secret, code, verifier, key=None):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    headers = _basic(client_id, secret)
    if key is not None:
        headers["DPoP"] = proof(key, nonce=server_nonce(app))
    return http.post("/caf/token", data=data, headers=headers)


def _bound_to(app, code):
    from idp.store.db import db, digest, unscoped
    from idp.store.models import AuthorizationCode

    with app.app_context():
        row = db.session.execute(unscoped(AuthorizationCode, reason="test").where(
            AuthorizationCode.code_hash == digest(code))).scalar_one()
        return row.dpop_jkt, row.used_at


def test_a_proof_at_par_binds_the_code_to_its_key(http, app):
    key = new_key()
    client_id, secret, code, verifier, pushed = _pushed_code(http, app, {"DPoP": proof(key, htu=PAR)})
    assert pushed.headers["DPoP-Nonce"]
    assert _bound_to(app, code) == (key.thumbprint(), None)

    other = _exchange(http, app, client_id, secret, code, verifier, new_key())
    assert other.status_code == 400
    assert other.get_json() == {"error": "invalid_dpop_proof",
                                "error_description": "The authorization code is bound to another DPoP key."}
    without = _exchange(http, app, client_id, secret, code, verifier)
    assert without.status_code == 400 and without.get_json()["error"] == "invalid_dpop_proof"
    assert _bound_to(app, code)[1] is None          # not spent by the refusals

    right = _exchange(http, app, client_id, secret, code, verifier, key)
    assert right.status_code == 200, right.get_json()
    assert right.get_json()["token_type"] == "DPoP"


def test_dpop_jkt_at_par_binds_without_a_proof(http, app):
    key = new_key()
    client_id, secret, code, verifier, _ = _pushed_code(http, app, dpop_jkt=key.thumbprint())
    assert _exchange(http, app, client_id, secret, code, verifier, new_key()).status_code == 400
    assert _exchange(http, app, client_id, secret, code, verifier, key).status_code == 200


def test_a_proof_and_dpop_jkt_naming_two_keys_are_refused_at_par(http, app):
    client_id, secret = make_client(app, first_party=True)
    _, challenge = pkce_pair()
    refused = http.post("/caf/par", data={
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "openid",
        "code_challenge": challenge, "code_challenge_method": "S256", "dpop_jkt": new_key().thumbprint()},
        headers={**_basic(client_id, secret), "DPoP": proof(new_key(), htu=PAR)})
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "invalid_dpop_proof",
                                  "error_description": "The DPoP proof's key is not the one dpop_jkt names."}


@pytest.mark.parametrize("bad", ["wrong-htu", "wrong-method"])
def test_a_bad_proof_at_par_is_refused(http, app, bad):
    client_id, secret = make_client(app, first_party=True)
    _, challenge = pkce_pair()
    key = new_key()
    sent = proof(key, htu="http://idp.test/caf/token") if bad == "wrong-htu" else proof(key, htu=PAR, htm="GET")
    refused = http.post("/caf/par", data={
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "openid",
        "code_challenge": challenge, "code_challenge_method": "S256"},
        headers={**_basic(client_id, secret), "DPoP": sent})
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_dpop_proof"


def test_dpop_jkt_at_authorize_binds_the_code(http, app):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    verifier, challenge = pkce_pair()
    key = new_key()
    url = location(authorize(http, "caf", client_id, code_challenge=challenge, code_challenge_method="S256",
                             dpop_jkt=key.thumbprint()))
    code = query(location(submit_login(http, url, *ACCOUNTS["caf"])))["code"]
    assert _bound_to(app, code)[0] == key.thumbprint()
    assert _exchange(http, app, client_id, secret, code, verifier, new_key()).status_code == 400
    assert _exchange(http, app, client_id, secret, code, verifier, key).status_code == 200


def test_a_malformed_dpop_jkt_is_an_invalid_request(http, app):
    client_id, _ = make_client(app, first_party=True)
    _, challenge = pkce_pair()
    answer = authorize(http, "caf", client_id, code_challenge=challenge, code_challenge_method="S256",
                       dpop_jkt="not a thumbprint")
    assert answer.status_code == 400 and "Location" not in answer.headers
    assert "<code>invalid_request</code> – 'dpop_jkt' is malformed." in page_text(answer)


def test_an_unbound_code_is_exchanged_as_before(http, app):
    client_id, secret, code, verifier, _ = _pushed_code(http, app)
    assert _bound_to(app, code)[0] is None
    assert _exchange(http, app, client_id, secret, code, verifier).status_code == 200
