"""The metrics move with what happens (scraped before and after, through ``GET /metrics``):
a login, a refused login, a token of each grant, a signup, a back-channel delivery; and no
label ever carries an identifier (every label value is from a closed list)."""

from __future__ import annotations

import re
import threading
from urllib.parse import urlencode

import requests_mock

from helpers import (ACCOUNTS, POST_LOGOUT, authorize, code_tokens, csrf, location, make_account, make_client,
                     page_text, submit_login, token_request)
from metrics_support import moved, scrape, value

SIGNUP = [  # the mairie journey (tests/flows/test_signup_mairie.py), up to the activation channel
    ("profil", {"profile_type": "citoyen"}),
    ("identite", {"civility": "madame", "birth_name": "Durand", "usage_name": "", "given_name": "Élodie",
                  "birthdate": "1990-04-12", "email": "elodie.durand@example.fr", "phone": "01.01.01.01.01",
                  "mobile": "06.12.34.56.78", "opt_in_email": "on"}),
    ("identifiant", {"identifier": "elodie.durand"}),
    ("mot-de-passe", {"password": "Citoyenne2026", "password_repeat": "Citoyenne2026"}),
    ("conditions", {"cgu": "on", "rgpd": "on"}),
]


def post_step(http, name, data):
    page = http.get(f"/mairie/signup/{name}")
    assert page.status_code == 200, page_text(page)[:300]
    return http.post(f"/mairie/signup/{name}", data={"csrf_token": csrf(page_text(page)), **data})


def test_a_login_and_a_refused_one_move_the_login_counter_and_the_hash_timer(http, app):
    client_id, _ = make_client(app, "caf", first_party=True)
    make_account(app, "caf")
    identifier, password = ACCOUNTS["caf"]
    before = scrape(http)
    refused = submit_login(http, location(authorize(http, "caf", client_id)), identifier, "not the password")
    assert refused.status_code == 400
    middle = scrape(http)
    assert moved(before, middle, "idp_logins_total", tenant="caf", method="password", result="failure") == 1
    assert moved(before, middle, "idp_logins_total", tenant="caf", method="password", result="success") == 0
    granted = submit_login(http, location(authorize(http, "caf", client_id)), identifier, password)
    assert granted.status_code in (302, 303)
    after = scrape(http)
    assert moved(middle, after, "idp_logins_total", tenant="caf", method="password", result="success") == 1
    assert moved(middle, after, "idp_logins_total", tenant="caf", method="password", result="failure") == 0
    assert moved(before, after, "idp_password_hash_seconds_count") >= 2   # one verification per attempt
    assert moved(before, after, "idp_http_request_duration_seconds_count", endpoint="accounts.login") == 4


def test_a_badly_formed_name_and_a_locked_one_are_told_apart(http, app):
    client_id, _ = make_client(app, "caf", first_party=True)
    make_account(app, "caf")
    identifier, _ = ACCOUNTS["caf"]
    before = scrape(http)
    submit_login(http, location(authorize(http, "caf", client_id)), "not-a-nir", "whatever")
    max_failures = app.config["IDP_SETTINGS"].login.max_failures
    for _ in range(max_failures + 1):
        submit_login(http, location(authorize(http, "caf", client_id)), identifier, "wrong password")
    after = scrape(http)
    assert moved(before, after, "idp_logins_total", tenant="caf", method="password", result="malformed") == 1
    assert moved(before, after, "idp_logins_total", tenant="caf", method="password", result="failure") == max_failures
    assert moved(before, after, "idp_logins_total", tenant="caf", method="password", result="locked") == 1


def test_each_grant_counts_its_tokens(http, app):
    before = scrape(http)
    client_id, secret, tokens = code_tokens(http, app, "caf", scope="openid offline_access")
    refreshed = token_request(http, "caf", client_id, secret,
                              {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.get_json()
    machine = token_request(http, "caf", client_id, secret, {"grant_type": "client_credentials"})
    assert machine.status_code == 200, machine.get_json()
    refused = token_request(http, "caf", client_id, "wrong secret", {"grant_type": "client_credentials"})
    assert refused.status_code == 401
    after = scrape(http)
    for grant in ("authorization_code", "refresh_token", "client_credentials"):
        assert moved(before, after, "idp_tokens_issued_total", tenant="caf", grant_type=grant) == 1, grant
    assert moved(before, after, "idp_http_request_duration_seconds_count", endpoint="oidc.token") == 4


def test_a_signup_counts_under_its_tenant(http, app):
    before = scrape(http)
    assert location(http.get("/mairie/signup")).endswith("/mairie/signup/profil")
    for step, answers in SIGNUP:
        assert location(post_step(http, step, answers))
    assert location(post_step(http, "activation", {"channel": "sms"})).endswith("/signup/activation/code")
    after = scrape(http)
    assert moved(before, after, "idp_signups_total", tenant="mairie", result="pending_activation") == 1
    assert moved(before, after, "idp_signups_total", tenant="caf", result="pending_activation") == 0
    assert moved(before, after, "idp_password_hash_seconds_count") >= 1


def test_a_backchannel_delivery_counts_its_result(http, app):
    uri = "https://rp.example/backchannel"
    before = scrape(http)
    with requests_mock.Mocker() as mock:
        mock.post(uri, status_code=200)
        _, _, tokens = code_tokens(http, app, backchannel_logout_uri=uri)
        http.get("/caf/logout?" + urlencode({"id_token_hint": tokens["id_token"],
                                             "post_logout_redirect_uri": POST_LOGOUT}))
        for thread in threading.enumerate():   # the logout's own tries run after the answer
            if thread.name.startswith("backchannel-"):
                thread.join(timeout=10)
    after = scrape(http)
    assert moved(before, after, "idp_backchannel_deliveries_total", result="sent") == 1
    assert moved(before, after, "idp_backchannel_deliveries_total", result="failed") == 0


def test_no_label_carries_an_identifier(http, app):
    """After journeys that handle identifiers, handles, codes and tokens in their paths and
    forms, every label value is a configured tenant, a listed method, result or grant type,
    or a Flask endpoint name (a path such as /caf/interaction/<handle> never is one)."""
    from idp.web import metrics

    client_id, secret, _ = code_tokens(http, app, "caf")
    token_request(http, "caf", client_id, secret, {"grant_type": "client_credentials"})
    http.get("/caf/interaction/a-handle-that-does-not-exist")
    http.get("/nowhere/at/all?login_hint=1840312345678")
    allowed = {
        "tenant": set(app.extensions["idp_tenants"]),
        "method": metrics.METHODS, "result": metrics.LOGIN_RESULTS | metrics.DELIVERY_RESULTS | metrics.SIGNUP_RESULTS,
        "grant_type": metrics.GRANT_TYPES,
        "endpoint": {rule.endpoint for rule in app.url_map.iter_rules()} | {metrics.UNROUTED},
        "le": None,
    }
    samples = scrape(http)
    assert value(samples, "idp_http_request_duration_seconds_count", endpoint="accounts.login") >= 1
    assert value(samples, "idp_http_request_duration_seconds_count", endpoint=metrics.UNROUTED) >= 1
    seen = set()
    for (name, labels) in samples:
        if not name.startswith("idp_"):
            continue
        for label, label_value in labels:
            assert label in allowed, (name, label)
            seen.add(label)
            if label == "le":
                assert re.fullmatch(r"[0-9.e+]+|\+Inf", label_value), label_value
            else:
                assert label_value in allowed[label], (name, label, label_value)
    assert {"tenant", "method", "result", "grant_type", "endpoint"} <= seen
