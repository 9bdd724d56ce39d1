"""The token endpoint's lighter path (issue 15): what a refresh reads and writes, and the
answers to malformed requests, unchanged."""

from __future__ import annotations

import base64
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import code_tokens, make_client, token_request


def _refresh(http, client_id, secret, token):
    return token_request(http, "caf", client_id, secret, {"grant_type": "refresh_token", "refresh_token": token})


def _set_status(app, status):
    from idp.store.db import db, unscoped_update
    from idp.store.models import Account

    with app.app_context():
        db.session.execute(unscoped_update(Account, reason="test").values(status=status))
        db.session.commit()


def test_a_suspended_account_refreshes_nothing_and_keeps_its_token(http, app):
    """The refresh reads the account's status only: a suspended account is refused as before
    (Authlib's ``invalid_request``: no user for this token), nothing is rotated, and the same
    token refreshes once the account is active again."""
    client_id, secret, tokens = code_tokens(http, app, scope="openid offline_access")
    _set_status(app, "suspended")
    refused = _refresh(http, client_id, secret, tokens["refresh_token"])
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_request"
    _set_status(app, "active")
    again = _refresh(http, client_id, secret, tokens["refresh_token"])
    assert again.status_code == 200, again.get_json()


def test_the_refresh_records_are_the_rows_the_session_wrote(http, app):
    """The access token's record and the successor, written as INSERT statements: the same
    columns as the session's objects had (defaults included), in the request's transaction."""
    from sqlalchemy import select

    from idp.store.db import db, digest
    from idp.store.models import IssuedAccessToken, RefreshToken

    client_id, secret, tokens = code_tokens(http, app, scope="openid offline_access")
    answer = _refresh(http, client_id, secret, tokens["refresh_token"])
    assert answer.status_code == 200
    body = answer.get_json()
    with app.app_context():
        old = db.session.execute(select(RefreshToken).where(
            RefreshToken.token_hash == digest(tokens["refresh_token"]))).scalar_one()
        new = db.session.execute(select(RefreshToken).where(
            RefreshToken.token_hash == digest(body["refresh_token"]))).scalar_one()
        issued = db.session.execute(select(IssuedAccessToken).where(
            IssuedAccessToken.family_id == old.family_id)).scalars().all()
        assert old.rotated_at is not None and new.rotated_at is None and new.revoked_at is None
        same = ("tenant", "family_id", "client_id", "account_id", "scope", "auth_time", "acr", "amr", "sid",
                "dpop_jkt")
        assert {k: getattr(new, k) for k in same} == {k: getattr(old, k) for k in same}
        assert new.created_at is not None and new.expires_at > new.created_at and new.id > old.id
        assert len(issued) == 2 and all(row.expires_at and row.client_id == client_id for row in issued)


# -- malformed token requests: an RFC error code, never a 5xx ------------------------------------

TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
HEADER = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=60)   # what a header can carry
PARAMS = ["grant_type", "refresh_token", "code", "redirect_uri", "code_verifier", "scope", "client_id",
          "client_secret", "client_assertion", "client_assertion_type", "resource"]
GRANTS = st.sampled_from(["client_credentials", "refresh_token", "authorization_code", "password", "",
                          "urn:ietf:params:oauth:grant-type:jwt-bearer"]) | TEXT
ERRORS = {"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
          "invalid_scope", "invalid_dpop_proof"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grant=GRANTS, extra=st.dictionaries(st.sampled_from(PARAMS), TEXT, max_size=4),
       auth=st.sampled_from(["basic", "post", "none", "garbage", "wrong"]),
       dpop=st.none() | HEADER | st.just("a.b.c"))
def test_malformed_token_requests_get_an_rfc_error(http, app, grant, extra, auth, dpop):
    client_id, secret = _client(app)
    data = {"grant_type": grant, **extra}
    headers = {}
    if auth == "basic":
        headers["Authorization"] = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    elif auth == "post":
        data.update(client_id=client_id, client_secret=secret)
    elif auth == "garbage":
        headers["Authorization"] = "Basic ###"
    elif auth == "wrong":
        headers["Authorization"] = "Basic " + base64.b64encode(f"{client_id}:nope".encode()).decode()
    if dpop is not None:
        headers["DPoP"] = dpop
    response = http.post("/caf/token", data=data, headers=headers)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    if response.status_code != 200:
        body = response.get_json()
        assert body["error"] in ERRORS, body
    else:   # only a well-formed client_credentials request with the right secret
        assert grant == "client_credentials" and auth in ("basic", "post")


_CLIENTS = {}


def _client(app):
    """One client for all the examples of a test (the app fixture empties the tables per
    test, not per example): made again when the fixture emptied them since."""
    from idp.clients.model import find_client, forget_clients

    known = _CLIENTS.get(id(app))
    if known is not None:
        forget_clients()
        with app.app_context():
            if find_client(known[0], "caf") is not None:
                return known
    _CLIENTS[id(app)] = make_client(app, "caf")
    return _CLIENTS[id(app)]


# -- client_credentials: the direct path answers as Authlib does ---------------------------------

def _answer(http, data, headers, query=""):
    response = http.post(f"/caf/token{query}", data=data, headers=headers)
    body = response.get_json()
    kept = {name: response.headers.get(name) for name in (
        "Content-Type", "Cache-Control", "Pragma", "WWW-Authenticate", "Content-Security-Policy",
        "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")}
    if response.status_code == 200:
        payload = body["access_token"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        for varying in ("jti", "iat", "exp"):
            claims.pop(varying)
        body = {**body, "access_token": claims}
    return response.status_code, body, kept, sorted(response.headers.keys())


def _basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


CASES = [
    ({}, "basic", ""), ({"scope": "openid"}, "basic", ""), ({"scope": "profile email"}, "basic", ""),
    ({"scope": "unknown"}, "basic", ""), ({"scope": ""}, "basic", ""), ({}, "post", ""), ({}, "wrong", ""),
    ({}, "basic", "?scope=openid"), ({"client_id": "x"}, "basic", ""), ({}, "none", ""),
    ({"resource": "https://api.example"}, "basic", ""),
]


def test_the_direct_client_credentials_answer_is_authlibs(http, app, monkeypatch):
    """Each request answered with the direct path, then with it switched off (Authlib's):
    same status, body (the token's claims but its jti and times), headers."""
    from idp.oidc.server import TenantAuthorizationServer

    clients = {
        "basic": make_client(app, "caf"),
        "post": make_client(app, "caf", auth_method="client_secret_post"),
        "no-cc": make_client(app, "caf", grant_types=["authorization_code"]),
        "dpop": make_client(app, "caf", dpop_bound_access_tokens=True),
    }
    for kind, (client_id, secret) in clients.items():
        for extra, auth, query in CASES:
            data = {"grant_type": "client_credentials", **extra}
            headers = {}
            if auth == "basic":
                headers = _basic(client_id, secret)
            elif auth == "wrong":
                headers = _basic(client_id, "not-the-secret")
            elif auth == "post":
                data.update(client_id=client_id, client_secret=secret)
            direct = _answer(http, data, headers, query)
            with monkeypatch.context() as m:
                m.setattr(TenantAuthorizationServer, "client_credentials_response", lambda self, request: None)
                authlib = _answer(http, data, headers, query)
            assert direct == authlib, (kind, extra, auth, query)


def test_a_client_credentials_token_does_not_go_through_authlibs_request(http, app, monkeypatch):
    """The frequent request takes the direct path (Authlib's token response is not called);
    a request it is not sure of still goes to Authlib."""
    from idp.oidc.server import TenantAuthorizationServer

    client_id, secret = make_client(app, "caf")
    through = []
    original = TenantAuthorizationServer.create_token_response
    monkeypatch.setattr(TenantAuthorizationServer, "create_token_response",
                        lambda self, request=None: through.append(1) or original(self, request))
    ok = http.post("/caf/token", data={"grant_type": "client_credentials", "scope": "openid"},
                   headers=_basic(client_id, secret))
    assert ok.status_code == 200 and through == []
    refused = http.post("/caf/token", data={"grant_type": "client_credentials"}, headers=_basic(client_id, "nope"))
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client" and through == [1]
