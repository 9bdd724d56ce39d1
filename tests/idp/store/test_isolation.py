"""Tenant isolation: nothing of tenant A is visible at tenant B."""

from __future__ import annotations

import base64

from helpers import authorize, code_tokens, exchange, location, login_flow, make_account, make_client, query, token_request


def basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_client_of_one_tenant_unknown_at_another(http, app):
    client_id, secret = make_client(app, "caf")
    assert authorize(http, "ameli", client_id).status_code == 400
    response = token_request(http, "ameli", client_id, secret, {"grant_type": "client_credentials"})
    assert response.get_json()["error"] == "invalid_client"


def test_account_of_one_tenant_cannot_log_in_at_another(http, app):
    make_account(app, "caf", identifier="2910775123456", password="Allocation2024")
    client_id, _ = make_client(app, "ameli", first_party=True)
    login_url = location(authorize(http, "ameli", client_id))
    from helpers import submit_login

    response = submit_login(http, login_url, "2910775123456", "Allocation2024")
    assert "Identifiant ou mot de passe incorrect." in response.get_data(as_text=True)


def test_code_and_tokens_of_caf_are_refused_at_ameli(http, app):
    caf_id, caf_secret = make_client(app, "caf", first_party=True, client_id="shared-id", secret="shared-secret-value-1234567890")
    make_client(app, "ameli", first_party=True, client_id="shared-id", secret="shared-secret-value-1234567890")
    make_account(app, "caf")
    code = query(login_flow(http, "caf", caf_id))["code"]
    assert exchange(http, "ameli", caf_id, caf_secret, code).get_json()["error"] == "invalid_grant"
    tokens = exchange(http, "caf", caf_id, caf_secret, code).get_json()
    # a token signed by caf's keys is not valid at ameli
    info = http.get("/ameli/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 401 and info.get_json()["error"] == "invalid_token"
    refreshed = token_request(http, "ameli", caf_id, caf_secret, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.get_json()["error"] == "invalid_grant"
    introspected = http.post("/ameli/introspect", data={"token": tokens["access_token"]}, headers=basic(caf_id, caf_secret))
    assert introspected.get_json() == {"active": False}


def test_session_of_one_tenant_is_not_a_session_at_another(http, app):
    caf_id, _ = make_client(app, "caf", first_party=True)
    ameli_id, _ = make_client(app, "ameli", first_party=True)
    make_account(app, "caf")
    login_flow(http, "caf", caf_id)
    assert query(location(authorize(http, "ameli", ameli_id, prompt="none")))["error"] == "login_required"


def test_id_token_hint_of_caf_refused_at_ameli(http, app):
    _, _, tokens = code_tokens(http, app, "caf")
    ameli_id, _ = make_client(app, "ameli")
    params = query(location(authorize(http, "ameli", ameli_id, id_token_hint=tokens["id_token"])))
    assert params["error"] == "invalid_request"


def test_every_owned_table_has_a_tenant_column(app):
    """Only the jti deny list is global (a jti is a random UUID checked after the signature)."""
    from idp.store.db import db

    global_tables = {t.name for t in db.metadata.sorted_tables if "tenant" not in t.columns}
    # and the admin API's operator clients (they act on several tenants) and their idempotency keys
    assert global_tables == {"revoked_tokens", "operator_clients", "admin_requests"}
