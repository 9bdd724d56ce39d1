"""Pairwise subject identifiers (OIDC Core §8.1), end to end: one person's ``sub`` is stable
across logins, the same for the clients of one sector, different across sectors and tenants,
and the same in the ID token, the access token, userinfo (JSON and signed), introspection,
the logout token and the ``id_token_hint`` checks; public clients are unchanged."""

from __future__ import annotations

import base64
import json
import re
import threading
from urllib.parse import urlencode

import requests_mock
from joserfc import jwt
from joserfc.jwk import KeySet

from helpers import (POST_LOGOUT, authorize, exchange, location, login_flow, make_account, make_client, pkce_pair,
                     query, token_request)

HEX64 = re.compile(r"[0-9a-f]{64}")


def _basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def _keys(http, tenant="caf"):
    return KeySet.import_key_set(http.get(f"/{tenant}/jwks.json").get_json())


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _login(http, client_id, secret, tenant="caf", redirect_uri="https://rp.example/cb", scope="openid email"):
    """A code flow for an existing client (the browser may already be logged in); the tokens."""
    verifier, challenge = pkce_pair()
    url = login_flow(http, tenant, client_id, scope=scope, redirect_uri=redirect_uri,
                     code_challenge=challenge, code_challenge_method="S256")
    response = exchange(http, tenant, client_id, secret, query(url)["code"], verifier, redirect_uri=redirect_uri)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _sub(http, tokens, tenant="caf") -> str:
    return jwt.decode(tokens["id_token"], _keys(http, tenant)).claims["sub"]


def _pairwise(app, tenant="caf", redirect="https://rp.example/cb", **options):
    return make_client(app, tenant, first_party=True, subject_type="pairwise", redirect_uris=[redirect], **options)


def _join():
    for thread in threading.enumerate():
        if thread.name.startswith("backchannel-"):
            thread.join(timeout=10)


def test_pairwise_sub_agrees_in_every_token_and_endpoint(http, app):
    backchannel = "https://rp.example/backchannel"
    client_id, secret = _pairwise(app, backchannel_logout_uri=backchannel)
    signed_id, signed_secret = _pairwise(app, redirect="https://rp.example/signed",
                                         userinfo_signed_response_alg="ES256")
    account_id = make_account(app)
    tokens = _login(http, client_id, secret)
    sub = _sub(http, tokens)
    assert HEX64.fullmatch(sub) and sub != account_id and account_id not in tokens["id_token"]

    assert _payload(tokens["access_token"])["sub"] == sub
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert http.get("/caf/userinfo", headers=bearer).get_json() == {
        "sub": sub, "email": "camille@example.fr", "email_verified": True}
    for token, hint in ((tokens["access_token"], None), (tokens["refresh_token"], "refresh_token")):
        data = {"token": token, **({"token_type_hint": hint} if hint else {})}
        introspected = http.post("/caf/introspect", data=data, headers=_basic(client_id, secret)).get_json()
        assert introspected["active"] is True and introspected["sub"] == sub, introspected

    refreshed = token_request(http, "caf", client_id, secret,
                              {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}).get_json()
    assert _payload(refreshed["access_token"])["sub"] == sub
    assert http.get("/caf/userinfo", headers={"Authorization": f"Bearer {refreshed['access_token']}"}).get_json()["sub"] == sub

    # a second client of the sector rp.example, userinfo as a signed JWT: the same sub
    signed = _login(http, signed_id, signed_secret, redirect_uri="https://rp.example/signed")
    response = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {signed['access_token']}"})
    assert response.mimetype == "application/jwt"
    assert jwt.decode(response.get_data(as_text=True), _keys(http)).claims["sub"] == sub == _sub(http, signed)

    # the hint names the person logged in: no new login, and a logout without confirmation
    params = query(location(authorize(http, "caf", client_id, prompt="none", id_token_hint=tokens["id_token"])))
    assert params.get("code"), params
    with requests_mock.Mocker() as mock:
        mock.post(backchannel, status_code=200)
        response = http.get("/caf/logout?" + urlencode({"id_token_hint": tokens["id_token"],
                                                         "post_logout_redirect_uri": POST_LOGOUT}))
        assert location(response) == POST_LOGOUT
        _join()
        body = mock.request_history[0].text
    logout_token = dict(pair.split("=", 1) for pair in body.split("&"))["logout_token"]
    assert jwt.decode(logout_token, _keys(http)).claims["sub"] == sub


def test_pairwise_sub_stable_across_logins_and_equal_within_a_sector(http, app):
    first_id, first_secret = _pairwise(app)
    same_id, same_secret = _pairwise(app, redirect="https://rp.example/elsewhere")
    other_id, other_secret = _pairwise(app, redirect="https://autre-service.example/cb")
    make_account(app)
    sub = _sub(http, _login(http, first_id, first_secret))

    again = app.test_client()   # another browser: a new login
    assert _sub(again, _login(again, first_id, first_secret)) == sub
    assert _sub(again, _login(again, same_id, same_secret, redirect_uri="https://rp.example/elsewhere")) == sub
    other = _sub(again, _login(again, other_id, other_secret, redirect_uri="https://autre-service.example/cb"))
    assert HEX64.fullmatch(other) and other != sub


def test_sector_identifier_uri_host_is_the_sector(http, app):
    """Redirect URIs on two hosts, listed by https://rp.example/sector.json: the sector is
    rp.example, so the sub equals that of a client whose redirect URIs are on rp.example."""
    uris = ["https://a.example/cb", "https://b.example/cb"]
    with requests_mock.Mocker() as mock:
        mock.get("https://rp.example/sector.json", json=uris + ["https://c.example/cb"])
        listed_id, listed_secret = make_client(app, first_party=True, subject_type="pairwise", redirect_uris=uris,
                                               sector_identifier_uri="https://rp.example/sector.json")
    plain_id, plain_secret = _pairwise(app)
    make_account(app)
    sub = _sub(http, _login(http, plain_id, plain_secret))
    assert _sub(http, _login(http, listed_id, listed_secret, redirect_uri="https://b.example/cb")) == sub


def test_pairwise_sub_differs_across_tenants(http, app):
    from idp.oidc.subjects import pairwise_sub

    caf_id, caf_secret = _pairwise(app, "caf")
    ameli_id, ameli_secret = _pairwise(app, "ameli")
    make_account(app, "caf")
    make_account(app, "ameli")
    caf = _sub(http, _login(http, caf_id, caf_secret, "caf"), "caf")
    ameli = _sub(http, _login(http, ameli_id, ameli_secret, "ameli"), "ameli")
    assert HEX64.fullmatch(caf) and HEX64.fullmatch(ameli) and caf != ameli
    with app.app_context():   # the same account id and sector: another tenant's key
        assert pairwise_sub("caf", "rp.example", "a") != pairwise_sub("ameli", "rp.example", "a")


def test_hint_of_another_person_at_a_pairwise_client_requires_login(http, app):
    client_id, secret = _pairwise(app)
    make_account(app)
    hint = _login(http, client_id, secret)["id_token"]
    assert query(location(authorize(http, "caf", client_id, prompt="none", id_token_hint=hint)))["code"]
    make_account(app, identifier="2840312345678", email="autre@example.fr")
    other = app.test_client()
    login_flow(other, "caf", client_id, identifier="2840312345678", password="Allocation2024")
    params = query(location(authorize(other, "caf", client_id, prompt="none", id_token_hint=hint)))
    assert params["error"] == "login_required"
    page = other.get("/caf/logout?" + urlencode({"id_token_hint": hint, "post_logout_redirect_uri": POST_LOGOUT}))
    assert page.status_code == 200 and 'name="confirm"' in page.get_data(as_text=True)   # asked, not logged out


def test_public_clients_keep_the_account_id(http, app):
    from idp.store.db import db
    from idp.store.models import PairwiseSubject

    client_id, secret = make_client(app, first_party=True)
    account_id = make_account(app)
    tokens = _login(http, client_id, secret)
    assert _sub(http, tokens) == account_id == _payload(tokens["access_token"])["sub"]
    assert http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()["sub"] == account_id
    with app.app_context():
        assert db.session.execute(db.select(PairwiseSubject)).scalars().all() == []


def test_changing_a_client_to_pairwise_changes_its_sub(http, app, runner):
    client_id, secret = make_client(app, first_party=True)
    account_id = make_account(app)
    before = _login(http, client_id, secret)
    assert _sub(http, before) == account_id
    result = runner.invoke(args=["clients", "subject-type", client_id, "pairwise", "--tenant", "caf"])
    assert result.exit_code == 0, result.output
    after = _login(http, client_id, secret)
    assert HEX64.fullmatch(_sub(http, after)) and _sub(http, after) != account_id
    old = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {before['access_token']}"})
    assert old.status_code == 401 and old.get_json()["error_description"] == "The account is no longer active."


def test_erasing_the_account_forgets_its_pairwise_subjects(http, app, runner):
    from idp.store.db import db
    from idp.store.models import PairwiseSubject

    client_id, secret = _pairwise(app)
    account_id = make_account(app)
    tokens = _login(http, client_id, secret)
    with app.app_context():
        [row] = db.session.execute(db.select(PairwiseSubject)).scalars().all()
        assert (row.sub, row.account_id, row.tenant) == (_sub(http, tokens), account_id, "caf")
    deleted = runner.invoke(args=["users", "delete", "--tenant", "caf", "--identifier", "1840312345678", "--yes"])
    assert deleted.exit_code == 0, deleted.output
    with app.app_context():
        assert db.session.execute(db.select(PairwiseSubject)).scalars().all() == []
