"""The admin API over real HTTP (issue 17), on SQLite and PostgreSQL: an operator made with
``idp operators create`` gets a token at /admin/token, creates a client that then works at
/token, finds a person by NIR (masked in every answer), locks and unlocks them (a login
fails, then works), rotates the keys (the JWKS changes), reads the audit trail; another
tenant is 403, a relying party's token 401, and every error is a problem document."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from helpers import ACCOUNTS, authorize, location, login_flow, make_account, make_client, submit_login
from live import served  # noqa: F401  (fixture)

PROBLEM = "application/problem+json"


def _operator(app, *args) -> tuple[str, str]:
    result = app.test_cli_runner().invoke(args=["operators", "create", "--name", "Support CAF", *args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return data["client_id"], data["client_secret"]


def _basic(client_id: str, secret: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def _token(base: str, client_id: str, secret: str) -> str:
    response = requests.post(f"{base}/admin/token", data={"grant_type": "client_credentials"},
                             headers=_basic(client_id, secret), timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    return body["access_token"]


class Api:
    def __init__(self, base: str, token: str):
        self.base, self.headers = f"{base}/admin/api/v1", {"Authorization": f"Bearer {token}"}

    def __call__(self, method: str, path: str, key: str | None = None, **options):
        headers = dict(self.headers, **({"Idempotency-Key": key} if key else {}))
        return requests.request(method, self.base + path, headers=headers, timeout=30, **options)


def _is_problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["type"].endswith(f"/admin/problems/{kind}")
    assert body["title"] and "detail" in body
    return body


@pytest.fixture
def operator_api(app, served):
    client_id, secret = _operator(app, "--tenant", "caf", "--role", "clients", "--role", "users",
                                  "--role", "keys", "--role", "audit")
    return Api(served, _token(served, client_id, secret)), client_id


def test_create_a_client_and_use_it_at_token(app, served, operator_api):
    api, _ = operator_api
    created = api("POST", "/tenants/caf/clients", key="k1", json={
        "name": "Portail", "redirect_uris": ["https://portail.example/cb"],
        "grant_types": ["client_credentials"], "scope": "openid"})
    assert created.status_code == 201, created.text
    client = created.json()
    token = requests.post(f"{served}/caf/token", data={"grant_type": "client_credentials"},
                          headers=_basic(client["client_id"], client["client_secret"]), timeout=10)
    assert token.status_code == 200, token.text
    # the same Idempotency-Key again: refused, not a second client
    again = api("POST", "/tenants/caf/clients", key="k1", json={"name": "Portail", "grant_types": ["client_credentials"]})
    _is_problem(again, 409, "replayed")
    assert [c["name"] for c in api("GET", "/tenants/caf/clients").json()["clients"]] == ["Portail"]
    # without a key: 428
    _is_problem(api("POST", "/tenants/caf/clients", json={"name": "X"}), 428, "idempotency-key-required")
    # a rotated secret: the old one fails at /token, the new one works
    rotated = api("POST", f"/tenants/caf/clients/{client['client_id']}/secret", key="r1")
    assert rotated.status_code == 200, rotated.text
    old = requests.post(f"{served}/caf/token", data={"grant_type": "client_credentials"},
                        headers=_basic(client["client_id"], client["client_secret"]), timeout=10)
    assert old.status_code == 401
    new = requests.post(f"{served}/caf/token", data={"grant_type": "client_credentials"},
                        headers=_basic(client["client_id"], rotated.json()["client_secret"]), timeout=10)
    assert new.status_code == 200
    changed = api("PATCH", f"/tenants/caf/clients/{client['client_id']}", json={"name": "Portail 2"})
    assert changed.status_code == 200 and changed.json()["name"] == "Portail 2"
    _is_problem(api("PATCH", f"/tenants/caf/clients/{client['client_id']}", json={"public": True}), 422, "validation")
    assert api("DELETE", f"/tenants/caf/clients/{client['client_id']}").status_code == 204
    _is_problem(api("GET", f"/tenants/caf/clients/{client['client_id']}"), 404, "not-found")


def test_find_by_nir_lock_and_unlock(app, served, operator_api):
    api, operator = operator_api
    nir, password = ACCOUNTS["caf"]
    account_id = make_account(app, "caf")
    client_id, _ = make_client(app, "caf", first_party=True)
    found = api("POST", "/tenants/caf/users/search", json={"identifier": nir})
    assert found.status_code == 200, found.text
    assert nir not in found.text and nir[:7] not in found.text   # masked, never in clear
    (user,) = found.json()["users"]
    assert user["id"] == account_id and user["status"] == "active"
    assert api("POST", "/tenants/caf/users/search", json={"identifier": "camille@example.fr"}).json()["users"][0]["id"] \
        == account_id
    assert api("POST", "/tenants/caf/users/search", json={"identifier": "2750512345678"}).json() == {"users": []}

    locked = api("POST", f"/tenants/caf/users/{account_id}/lock")
    assert locked.status_code == 200 and locked.json()["status"] == "suspended"
    assert api("POST", f"/tenants/caf/users/{account_id}/lock").json()["status"] == "suspended"   # idempotent
    http = app.test_client()
    refused = submit_login(http, location(authorize(http, "caf", client_id)), nir, password)
    assert refused.status_code != 302   # a suspended account cannot log in

    unlocked = api("POST", f"/tenants/caf/users/{account_id}/unlock")
    assert unlocked.status_code == 200 and unlocked.json()["status"] == "active"
    assert "code=" in login_flow(app.test_client(), "caf", client_id)
    assert api("GET", f"/tenants/caf/users/{account_id}/sessions").json()["sessions"]
    assert api("DELETE", f"/tenants/caf/users/{account_id}/sessions").json()["sessions_ended"] == 1
    assert api("GET", f"/tenants/caf/users/{account_id}/sessions").json()["sessions"] == []

    events = api("GET", "/tenants/caf/audit-events", params={"account": account_id}).json()["events"]
    names = [e["event"] for e in events]
    assert {"account.suspended", "account.unlocked", "login.success", "admin.request"} <= set(names)
    admin = [e for e in events if e["event"] == "admin.request"]
    assert all(e["fields"]["operator"] == operator for e in admin)
    assert nir not in json.dumps(events)
    page = api("GET", "/tenants/caf/audit-events", params={"limit": 2}).json()
    assert len(page["events"]) == 2 and page["next"]
    rest = api("GET", "/tenants/caf/audit-events", params={"limit": 200, "before": page["next"]}).json()
    assert all(e["id"] < page["next"] for e in rest["events"])
    only = api("GET", "/tenants/caf/audit-events", params={"type": "account.suspended"}).json()["events"]
    assert [e["event"] for e in only] == ["account.suspended"]

    assert api("DELETE", f"/tenants/caf/users/{account_id}").status_code == 204
    _is_problem(api("GET", f"/tenants/caf/users/{account_id}"), 404, "not-found")


def test_activate_a_pending_account(app, served, operator_api):
    api, _ = operator_api
    pending = make_account(app, "caf", identifier="2750512345678", email="autre@example.fr",
                           status="pending_document")
    _is_problem(api("POST", f"/tenants/caf/users/{pending}/unlock"), 409, "conflict")   # never opened: activate it
    opened = api("POST", f"/tenants/caf/users/{pending}/activate")
    assert opened.status_code == 200 and opened.json()["status"] == "active"
    assert opened.json()["previous_status"] == "pending_document"
    again = api("POST", f"/tenants/caf/users/{pending}/activate").json()
    assert again["status"] == "active" and again["previous_status"] == "active"   # idempotent
    events = api("GET", "/tenants/caf/audit-events", params={"type": "account.activated"}).json()["events"]
    assert len(events) == 1 and events[0]["fields"]["channel"] == "operator"


@pytest.fixture
def keys_restored(app):
    """The session app keeps its signing keys between tests: put caf's back as they were."""
    from idp.store.db import db, scoped_all, scoped_delete
    from idp.store.keystore import forget_rings
    from idp.store.models import SigningKey

    columns = [c.name for c in SigningKey.__table__.columns]
    with app.app_context():
        saved = [{c: getattr(row, c) for c in columns} for row in scoped_all(SigningKey, "caf")]
    yield
    with app.app_context():
        db.session.execute(scoped_delete(SigningKey, "caf"))
        db.session.add_all([SigningKey(**row) for row in saved])
        db.session.commit()
    forget_rings()


def test_rotate_keys_changes_the_jwks(app, served, operator_api, keys_restored):
    api, _ = operator_api
    before = {k["kid"] for k in requests.get(f"{served}/caf/jwks.json", timeout=10).json()["keys"]}
    listed = api("GET", "/tenants/caf/keys").json()["keys"]
    assert {k["kid"] for k in listed} == before and all("d" not in k for k in listed)
    rotated = api("POST", "/tenants/caf/keys/rotation", key="rot-1")
    assert rotated.status_code == 200, rotated.text
    _is_problem(api("POST", "/tenants/caf/keys/rotation", key="rot-1"), 409, "replayed")
    from idp.store.keystore import forget_rings

    forget_rings()   # this process's ring cache (10 s); another worker would see it within RING_TTL
    after = {k["kid"] for k in requests.get(f"{served}/caf/jwks.json", timeout=10).json()["keys"]}
    assert after != before


def test_tenant_isolation_and_tokens_that_are_not_an_operators(app, served, operator_api):
    api, _ = operator_api
    _is_problem(api("GET", "/tenants/ameli/clients"), 403, "forbidden")
    _is_problem(api("GET", "/tenants/nowhere/clients"), 403, "forbidden")   # says nothing of which tenants exist
    keys_only, secret = _operator(app, "--tenant", "caf", "--role", "keys")
    _is_problem(Api(served, _token(served, keys_only, secret))("GET", "/tenants/caf/clients"), 403, "forbidden")

    # a relying party's access token (client_credentials at the tenant's /token): 401
    client_id, client_secret = make_client(app, "caf")
    rp = requests.post(f"{served}/caf/token", data={"grant_type": "client_credentials"},
                       headers=_basic(client_id, client_secret), timeout=10).json()["access_token"]
    refused = Api(served, rp)("GET", "/tenants/caf/clients")
    _is_problem(refused, 401, "unauthorized")
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    _is_problem(requests.get(f"{served}/admin/api/v1/tenants/caf/clients", timeout=10), 401, "unauthorized")
    # a relying party's credentials at /admin/token: 401
    _is_problem(requests.post(f"{served}/admin/token", data={"grant_type": "client_credentials"},
                              headers=_basic(client_id, client_secret), timeout=10), 401, "unauthorized")
    # a deleted operator's token stops working at once
    keys_api = Api(served, _token(served, keys_only, secret))
    assert keys_api("GET", "/tenants/caf/keys").status_code == 200
    result = app.test_cli_runner().invoke(args=["operators", "delete", keys_only, "--json"])
    assert result.exit_code == 0, result.output
    _is_problem(keys_api("GET", "/tenants/caf/keys"), 401, "unauthorized")


def test_problem_details_shapes(app, served, operator_api):
    api, _ = operator_api
    _is_problem(api("GET", "/tenants/caf/nothing-here"), 404, "not-found")
    _is_problem(api("PUT", "/tenants/caf/clients"), 405, "method-not-allowed")
    _is_problem(api("POST", "/tenants/caf/users/search", data="x"), 415, "unsupported-media-type")
    invalid = _is_problem(api("POST", "/tenants/caf/users/search", json={}), 422, "validation")
    assert invalid["errors"][0]["field"] == "identifier"
    _is_problem(requests.post(api.base + "/tenants/caf/users/search", data="{not json", timeout=10,
                              headers=dict(api.headers, **{"Content-Type": "application/json"})), 400, "bad-request")
    big = requests.post(api.base + "/tenants/caf/users/search", data="x" * 70_000, timeout=10,
                        headers=dict(api.headers, **{"Content-Type": "application/json"}))
    _is_problem(big, 413, "too-large")
    created = api("POST", "/tenants/caf/clients", key="dup-1", json={"name": "A", "client_id": "same",
                                                                       "grant_types": ["client_credentials"]})
    assert created.status_code == 201, created.text
    _is_problem(api("POST", "/tenants/caf/clients", key="dup-2", json={"name": "B", "client_id": "same",
                                                                         "grant_types": ["client_credentials"]}),
                409, "conflict")
    bad = _is_problem(api("POST", "/tenants/caf/clients", key="bad-1", json={"name": "C", "redirect_uris": ["http://x.example/cb"]}),
                      422, "validation")
    assert "https" in bad["detail"]
    # a refused write keeps no key: the corrected request may reuse it
    assert api("POST", "/tenants/caf/clients", key="bad-1", json={"name": "C", "redirect_uris": ["https://x.example/cb"]}) \
        .status_code == 201
