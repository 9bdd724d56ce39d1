"""DPoP (RFC 9449): proofs at the token endpoint, bound access and refresh tokens, userinfo."""

from __future__ import annotations

import base64
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from dpop_support import TOKEN, USERINFO, ath_of, new_key, proof, server_nonce
from helpers import exchange, login_flow, make_account, make_client, pkce_pair, query

def access_claims(http, token):
    keys = KeySet.import_key_set(http.get("/caf/jwks.json").get_json())
    return jwt.decode(token, keys, algorithms=["ES256"]).claims


def code_for(http, app, **client_options):
    client_id, secret = make_client(app, first_party=True, **client_options)
    make_account(app)
    verifier, challenge = pkce_pair()
    url = login_flow(http, "caf", client_id, scope="openid profile offline_access", code_challenge=challenge,
                     code_challenge_method="S256")
    return client_id, secret, query(url)["code"], verifier


def dpop_exchange(http, app, key, **client_options):
    client_id, secret, code, verifier = code_for(http, app, **client_options)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": "https://rp.example/cb",
            "code_verifier": verifier, "client_id": client_id}
    auth = {} if client_options.get("public") else {
        "Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}
    response = http.post("/caf/token", data=data, headers={**auth, "DPoP": proof(key, nonce=server_nonce(app))})
    assert response.status_code == 200, response.get_json()
    return client_id, secret, response


def test_first_proof_without_nonce_is_asked_to_use_the_server_nonce(http, app):
    client_id, secret, code, verifier = code_for(http, app)
    key = new_key()
    headers = {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": "https://rp.example/cb",
            "code_verifier": verifier}
    first = http.post("/caf/token", data=data, headers={**headers, "DPoP": proof(key)})
    assert first.status_code == 400
    assert first.get_json() == {"error": "use_dpop_nonce",
                                "error_description": "A server nonce is required in the DPoP proof."}
    nonce = first.headers["DPoP-Nonce"]
    # the code was not touched: the retry with the nonce gets the tokens
    second = http.post("/caf/token", data=data, headers={**headers, "DPoP": proof(key, nonce=nonce)})
    assert second.status_code == 200, second.get_json()
    body = second.get_json()
    assert body["token_type"] == "DPoP"
    assert access_claims(http, body["access_token"])["cnf"] == {"jkt": key.thumbprint()}
    assert second.headers["DPoP-Nonce"]


def test_bound_token_at_userinfo_needs_the_dpop_scheme_and_a_proof_of_its_key(http, app):
    key = new_key()
    _, _, response = dpop_exchange(http, app, key)
    token = response.get_json()["access_token"]
    good = http.get("/caf/userinfo", headers={"Authorization": f"DPoP {token}",
                                              "DPoP": proof(key, htu=USERINFO, htm="GET", ath=ath_of(token))})
    assert good.status_code == 200, good.get_json()
    assert good.get_json()["sub"]

    as_bearer = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert as_bearer.status_code == 401 and as_bearer.get_json()["error"] == "invalid_token"
    assert as_bearer.headers["WWW-Authenticate"].startswith('DPoP error="invalid_token"')

    no_proof = http.get("/caf/userinfo", headers={"Authorization": f"DPoP {token}"})
    assert no_proof.status_code == 401
    assert no_proof.get_json() == {"error": "invalid_dpop_proof",
                                   "error_description": "A DPoP proof is required with a DPoP-bound access token."}
    assert no_proof.headers["WWW-Authenticate"].startswith('DPoP error="invalid_dpop_proof"')

    wrong_ath = http.get("/caf/userinfo", headers={"Authorization": f"DPoP {token}",
                                                   "DPoP": proof(key, htu=USERINFO, htm="GET", ath=ath_of("x"))})
    assert wrong_ath.status_code == 401
    assert wrong_ath.get_json()["error_description"] == "The DPoP proof's ath is not the hash of the access token."

    other = new_key()
    other_key = http.get("/caf/userinfo", headers={"Authorization": f"DPoP {token}",
                                                   "DPoP": proof(other, htu=USERINFO, htm="GET", ath=ath_of(token))})
    assert other_key.status_code == 401
    assert other_key.get_json()["error_description"] == "The DPoP proof's key is not the one the token is bound to."


def test_unbound_token_presented_as_dpop_is_refused(http, app):
    client_id, secret, code, verifier = code_for(http, app)
    token = exchange(http, "caf", client_id, secret, code, verifier).get_json()["access_token"]
    response = http.get("/caf/userinfo", headers={"Authorization": f"DPoP {token}",
                                                  "DPoP": proof(new_key(), htu=USERINFO, htm="GET")})
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_token"
    assert http.get("/caf/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def _hs256_proof():
    head = base64.urlsafe_b64encode(json.dumps({"typ": "dpop+jwt", "alg": "HS256", "jwk": {"kty": "oct", "k": "AA"}})
                                    .encode()).rstrip(b"=").decode()
    return f"{head}.e30.sig"


@pytest.mark.parametrize("make, description", [
    (lambda k, n: "not-a-jws", "The DPoP proof is not a compact JWS."),
    (lambda k, n: proof(k, nonce=n, typ="JWT"), "The DPoP proof's typ must be dpop+jwt."),
    (lambda k, n: _hs256_proof(), "The DPoP proof's alg must be one of ES256, PS256, RS256."),
    (lambda k, n: proof(k, nonce=n, jwk=k.as_dict(private=True)), "The DPoP proof's jwk must be a public key."),
    (lambda k, n: proof(k, nonce=n, jwk=new_key().as_dict(private=False)),
     "The DPoP proof's signature does not verify with its jwk."),
    (lambda k, n: proof(k, nonce=n, htm="GET"), "The DPoP proof's htm is not the request's method."),
    (lambda k, n: proof(k, nonce=n, htu="http://idp.test/ameli/token"), "The DPoP proof's htu is not this endpoint's URL."),
    (lambda k, n: proof(k, nonce=n, iat=int(time.time()) - 600), "The DPoP proof's iat is missing or too far from now."),
    (lambda k, n: proof(k, nonce=n, iat=int(time.time()) + 600), "The DPoP proof's iat is missing or too far from now."),
])
def test_token_endpoint_refuses_bad_proofs(http, app, make, description):
    client_id, secret = make_client(app)
    key = new_key()
    response = http.post("/caf/token", data={"grant_type": "client_credentials", "scope": "openid"},
                         headers={"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode(),
                                  "DPoP": make(key, server_nonce(app))})
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_dpop_proof", "error_description": description}
    assert response.headers["Cache-Control"] == "no-store"


def cc_request(http, client_id, secret, dpop_header):
    headers = {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}
    if dpop_header is not None:
        headers["DPoP"] = dpop_header
    return http.post("/caf/token", data={"grant_type": "client_credentials"}, headers=headers)


def test_htu_query_and_fragment_are_ignored_and_client_credentials_are_bound(http, app):
    client_id, secret = make_client(app)
    key = new_key()
    response = cc_request(http, client_id, secret, proof(key, htu=TOKEN + "?a=b#c", nonce=server_nonce(app)))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["token_type"] == "DPoP"


def test_replayed_proof_is_refused(http, app):
    client_id, secret = make_client(app)
    key = new_key()
    once = proof(key, nonce=server_nonce(app))
    assert cc_request(http, client_id, secret, once).status_code == 200
    replay = cc_request(http, client_id, secret, once)
    assert replay.status_code == 400
    assert replay.get_json() == {"error": "invalid_dpop_proof", "error_description": "The DPoP proof has been used already."}


def test_stale_or_forged_nonce_is_answered_with_the_current_one(http, app):
    client_id, secret = make_client(app)
    response = cc_request(http, client_id, secret, proof(new_key(), nonce="1.forged"))
    assert response.status_code == 400
    assert response.get_json() == {"error": "use_dpop_nonce", "error_description": "The DPoP proof's nonce is not current."}
    assert response.headers["DPoP-Nonce"] == server_nonce(app)


def test_two_proofs_are_refused(http, app):
    client_id, secret = make_client(app)
    key = new_key()
    headers = [("Authorization", "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()),
               ("DPoP", proof(key, nonce=server_nonce(app))), ("DPoP", proof(key, nonce=server_nonce(app)))]
    response = http.post("/caf/token", data={"grant_type": "client_credentials"}, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error_description"] == "Exactly one DPoP proof is allowed."


def test_client_registered_for_dpop_must_send_a_proof(http, app):
    client_id, secret = make_client(app, dpop_bound_access_tokens=True)
    response = cc_request(http, client_id, secret, None)
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_dpop_proof", "error_description": "This client must send a DPoP proof."}
    assert cc_request(http, client_id, secret, proof(new_key(), nonce=server_nonce(app))).status_code == 200


def test_rsa_ps256_proof_is_accepted(http, app):
    client_id, secret = make_client(app)
    key = RSAKey.generate_key(2048, private=True)
    response = cc_request(http, client_id, secret, proof(key, alg="PS256", nonce=server_nonce(app)))
    assert response.status_code == 200, response.get_json()


def refresh(http, client_id, refresh_token, dpop_header=None):
    headers = {"DPoP": dpop_header} if dpop_header else {}
    return http.post("/caf/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token,
                                         "client_id": client_id}, headers=headers)


def test_public_client_refresh_token_is_bound_to_its_key(http, app):
    key = new_key()
    client_id, _, response = dpop_exchange(http, app, key, public=True)
    refresh_token = response.get_json()["refresh_token"]

    without = refresh(http, client_id, refresh_token)
    assert without.status_code == 400
    assert without.get_json() == {"error": "invalid_dpop_proof",
                                  "error_description": "The refresh token is bound to another DPoP key."}
    other = refresh(http, client_id, refresh_token, proof(new_key(), nonce=server_nonce(app)))
    assert other.status_code == 400 and other.get_json()["error"] == "invalid_dpop_proof"

    same = refresh(http, client_id, refresh_token, proof(key, nonce=server_nonce(app)))
    assert same.status_code == 200, same.get_json()
    assert same.get_json()["token_type"] == "DPoP"
    # the successor is bound too
    successor = same.get_json()["refresh_token"]
    assert refresh(http, client_id, successor).get_json()["error"] == "invalid_dpop_proof"
    assert refresh(http, client_id, successor, proof(key, nonce=server_nonce(app))).status_code == 200


def test_confidential_client_refresh_token_is_not_bound(http, app):
    key = new_key()
    client_id, secret, response = dpop_exchange(http, app, key)
    from helpers import token_request

    refreshed = token_request(http, "caf", client_id, secret,
                              {"grant_type": "refresh_token", "refresh_token": response.get_json()["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.get_json()["token_type"] == "Bearer"


def test_introspection_returns_cnf(http, app):
    key = new_key()
    client_id, secret, response = dpop_exchange(http, app, key)
    auth = {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}
    result = http.post("/caf/introspect", data={"token": response.get_json()["access_token"]}, headers=auth).get_json()
    assert result["active"] is True and result["token_type"] == "DPoP"
    assert result["cnf"] == {"jkt": key.thumbprint()}


def test_discovery_and_client_metadata_name_dpop(http, app, runner):
    meta = http.get("/caf/.well-known/openid-configuration").get_json()
    assert meta["dpop_signing_alg_values_supported"] == ["ES256", "PS256", "RS256"]
    result = runner.invoke(args=["clients", "create", "--tenant", "caf", "--name", "DPoP", "--grant-type",
                                 "client_credentials", "--dpop", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["dpop_bound_access_tokens"] is True


def test_a_token_failing_under_the_dpop_scheme_gets_a_dpop_challenge(http, app):
    """RFC 9449 §7.1: whatever fails (the token's signature, its account), a request made with
    the DPoP scheme is answered with a DPoP challenge naming the algorithms; Bearer stays Bearer."""
    key = new_key()
    _, _, response = dpop_exchange(http, app, key)
    token = response.get_json()["access_token"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    refused = http.get("/caf/userinfo", headers={"Authorization": f"DPoP {forged}",
                                                 "DPoP": proof(key, htu=USERINFO, htm="GET", ath=ath_of(forged))})
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_token"
    challenge = refused.headers["WWW-Authenticate"]
    assert challenge.startswith('DPoP error="invalid_token"') and challenge.endswith('algs="ES256 PS256 RS256"')
    assert "Bearer" not in challenge

    as_bearer = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {forged}"})
    assert as_bearer.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert "algs" not in as_bearer.headers["WWW-Authenticate"]

    from idp.store.db import db
    from idp.store.models import Account

    with app.app_context():
        db.session.execute(db.update(Account).values(status="suspended"))
        db.session.commit()
    inactive = http.get("/caf/userinfo", headers={"Authorization": f"DPoP {token}",
                                                  "DPoP": proof(key, htu=USERINFO, htm="GET", ath=ath_of(token))})
    assert inactive.status_code == 401
    assert inactive.get_json()["error_description"] == "The account is no longer active."
    assert inactive.headers["WWW-Authenticate"].startswith('DPoP error="invalid_token"')


@pytest.mark.parametrize("header", ["DPoP ", "DPoP", "dpop   "])
def test_the_dpop_scheme_without_a_token_gets_a_dpop_challenge(http, header):
    """RFC 9449 §7.1: ``Authorization: DPoP`` with no token (its trailing space may not even
    reach the app) is a DPoP request: the DPoP challenge answers it, not a Bearer one."""
    refused = http.get("/caf/userinfo", headers={"Authorization": header})
    assert refused.status_code == 401
    assert refused.get_json() == {"error": "invalid_request", "error_description": "An access token is required."}
    challenge = refused.headers["WWW-Authenticate"]
    assert challenge.startswith('DPoP error="invalid_request"') and challenge.endswith('algs="ES256 PS256 RS256"')


@pytest.mark.parametrize("header", ["Bearer ", "Bearer", None])
def test_no_token_under_bearer_or_no_header_stays_a_bearer_challenge(http, header):
    refused = http.get("/caf/userinfo", headers={"Authorization": header} if header is not None else {})
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith('Bearer error="invalid_request"')
