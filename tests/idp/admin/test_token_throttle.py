"""``/admin/token`` throttles failed operator authentication (idp/admin/operators.py): per
client_id and per address, in the shared counters (Redis on PostgreSQL), the login's rule;
a pause answers 429, ``Retry-After`` and ``temporarily_unavailable`` before the secret is
looked at, and is audited."""

from __future__ import annotations

import base64
import logging

import pytest


def _operator(app):
    from idp.admin.operators import create_operator

    with app.app_context():
        row, secret = create_operator("ops", ["caf"], ["users"])
        return row.client_id, secret


def _token(http, client_id, secret, address="192.0.2.10"):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return http.post("/admin/token", data={"grant_type": "client_credentials"},
                     headers={"Authorization": f"Basic {basic}"}, environ_base={"REMOTE_ADDR": address})


def test_wrong_secrets_pause_the_client_id_even_for_the_right_secret(app, http, caplog):
    client_id, secret = _operator(app)
    limit = app.config["IDP_SETTINGS"].admin.max_failures
    caplog.set_level(logging.INFO)
    for _ in range(limit):
        assert _token(http, client_id, "wrong").status_code == 401
    refused = _token(http, client_id, secret)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["error"] == "temporarily_unavailable" and body["status"] == 429
    assert 0 < int(refused.headers["Retry-After"]) <= app.config["IDP_SETTINGS"].admin.lockout_seconds
    assert refused.headers["Cache-Control"] == "no-store"
    assert "access_token" not in body
    logged = caplog.text
    assert '"event": "admin.locked"' in logged and '"scope": "operator"' in logged
    assert '"reason": "throttled"' in logged
    assert secret not in logged
    # another operator client from another address is not paused
    other_id, other_secret = _operator(app)
    assert _token(http, other_id, other_secret, address="192.0.2.99").status_code == 200


def test_a_pause_ends(app, http, monkeypatch):
    client_id, secret = _operator(app)
    for _ in range(app.config["IDP_SETTINGS"].admin.max_failures):
        _token(http, client_id, "wrong")
    assert _token(http, client_id, secret).status_code == 429
    counters = app.extensions["idp_counters"]
    from idp.admin import operators

    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.10"}):
        for _, key in operators._throttle_keys(client_id):
            counters.delete("lock:" + key)
    assert _token(http, client_id, secret).status_code == 200


def test_many_client_ids_from_one_address_pause_the_address(app, http):
    client_id, secret = _operator(app)
    limit = app.config["IDP_SETTINGS"].admin.max_failures_per_address
    for n in range(limit):
        assert _token(http, f"op-guess-{n}", "wrong", address="198.51.100.7").status_code == 401
    assert _token(http, client_id, secret, address="198.51.100.7").status_code == 429
    assert _token(http, client_id, secret, address="198.51.100.8").status_code == 200


def test_malformed_basic_counts_for_the_address(app, http):
    limit = app.config["IDP_SETTINGS"].admin.max_failures_per_address
    for _ in range(limit):
        response = http.post("/admin/token", data={"grant_type": "client_credentials"},
                             headers={"Authorization": "Basic !!!"}, environ_base={"REMOTE_ADDR": "203.0.113.5"})
        assert response.status_code == 401
    client_id, secret = _operator(app)
    assert _token(http, client_id, secret, address="203.0.113.5").status_code == 429


@pytest.mark.parametrize("failures", [4])
def test_failures_below_the_threshold_do_not_pause(app, http, failures):
    client_id, secret = _operator(app)
    assert failures < app.config["IDP_SETTINGS"].admin.max_failures
    for _ in range(failures):
        _token(http, client_id, "wrong")
    assert _token(http, client_id, secret).status_code == 200
