"""The second factor (issue 16): TOTP and recovery codes, eidas2 asked by the client, the
request or the tenant, the step up of an eidas1 session without a second password, replay
and throttling, prompt=none, max_age, acr/amr in the ID token, discovery."""

from __future__ import annotations

import dataclasses
import json
import re
import time

import pyotp
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from helpers import (ACCOUNTS, REDIRECT, authorize, csrf, exchange, location, make_account, make_client, page_text,
                     path_of, query, submit_login)
from messages_support import messages

IDENTIFIER, PASSWORD = ACCOUNTS["caf"]


@pytest.fixture
def clock(monkeypatch):
    """The TOTP clock, moved one step at a time (each step's code is another code)."""
    import idp.mfa.totp as totp

    now = {"t": time.time()}
    monkeypatch.setattr(totp, "clock", lambda: now["t"])

    def step(steps: int = 1):
        now["t"] += 30 * steps
    step.now = lambda: now["t"]
    return step


def cli_enroll(app, identifier=IDENTIFIER, tenant="caf") -> dict:
    result = app.test_cli_runner().invoke(args=["users", "totp-enroll", "--tenant", tenant,
                                                "--identifier", identifier, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def code_at(secret: str, clock) -> str:
    return pyotp.TOTP(secret).at(clock.now())


def submit_code(http, url, code, method=None):
    page = http.get(path_of(url) + (f"?method={method}" if method else ""))
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    data = {"csrf_token": csrf(page.get_data(as_text=True)), "code": code}
    if method:
        data["method"] = method
    return http.post(path_of(url).split("?")[0], data=data)


def id_token_claims(http, tenant, client_id, secret, url) -> dict:
    response = exchange(http, tenant, client_id, secret, query(url)["code"])
    assert response.status_code == 200, response.get_json()
    keys = KeySet.import_key_set(http.get(f"/{tenant}/jwks.json").get_json())
    return jwt.decode(response.get_json()["id_token"], keys, algorithms=["RS256"]).claims


def password_login(http, client_id, **params) -> str:
    """authorize → the login form → where the password leads (the client, or the mfa step)."""
    url = location(authorize(http, "caf", client_id, **params))
    assert url.endswith(tuple("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")) and "/interaction/" in url
    return location(submit_login(http, url, IDENTIFIER, PASSWORD))


def test_discovery_lists_both_levels(http, app):
    assert http.get("/caf/.well-known/openid-configuration").get_json()["acr_values_supported"] == ["eidas1", "eidas2"]


def test_a_client_requiring_eidas2_gets_two_factors(http, app, clock):
    client_id, secret = make_client(app, first_party=True, require_acr="eidas2")
    make_account(app)
    enrolled = cli_enroll(app)
    assert re.fullmatch("[A-Z2-7]{32}", enrolled["secret"]) and enrolled["uri"].startswith("otpauth://totp/")
    url = password_login(http, client_id)
    assert url.endswith("/mfa"), url
    page = http.get(path_of(url))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count("<input") - html.count('type="hidden"') == 1
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    done = location(submit_code(http, url, code_at(enrolled["secret"], clock)))
    assert done.startswith(REDIRECT)
    claims = id_token_claims(http, "caf", client_id, secret, done)
    assert claims["acr"] == "eidas2" and claims["amr"] == ["pwd", "otp", "mfa"]


def test_an_eidas1_session_steps_up_without_a_second_password(http, app, clock):
    plain, _ = make_client(app, first_party=True)
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    enrolled = cli_enroll(app)
    first = password_login(http, plain)
    assert first.startswith(REDIRECT)      # eidas1 asked nothing more
    url = location(authorize(http, "caf", client_id, acr_values="eidas2"))
    assert url.endswith("/mfa"), "the step up asks the second factor only"
    done = location(submit_code(http, url, code_at(enrolled["secret"], clock)))
    claims = id_token_claims(http, "caf", client_id, secret, done)
    assert claims["acr"] == "eidas2" and "otp" in claims["amr"] and "pwd" in claims["amr"]
    # the session holds eidas2 now: the next request asking it goes straight through
    again = location(authorize(http, "caf", client_id, acr_values="eidas2"))
    assert again.startswith(REDIRECT)


def test_an_essential_acr_claim_asks_the_second_factor(http, app, clock):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    cli_enroll(app)
    claims = json.dumps({"id_token": {"acr": {"essential": True, "values": ["eidas2"]}}})
    assert password_login(http, client_id, claims=claims).endswith("/mfa")


def test_prompt_none_needing_a_step_up_is_interaction_required(http, app):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    cli_enroll(app)
    assert password_login(http, client_id).startswith(REDIRECT)
    answer = query(location(authorize(http, "caf", client_id, acr_values="eidas2", prompt="none")))
    assert answer["error"] == "interaction_required" and answer["state"] == "st4te"
    assert "second factor" in answer["error_description"]


def test_a_code_is_accepted_once(http, app, clock):
    client_id, _ = make_client(app, first_party=True, require_acr="eidas2")
    make_account(app)
    enrolled = cli_enroll(app)
    code = code_at(enrolled["secret"], clock)
    assert location(submit_code(http, password_login(http, client_id), code)).startswith(REDIRECT)
    url = password_login(http, client_id, prompt="login")   # a new login: a second factor again
    replay = submit_code(http, url, code)
    assert replay.status_code == 400
    assert "Code incorrect ou déjà utilisé" in page_text(replay) and 'aria-invalid="true"' in replay.get_data(as_text=True)
    clock()
    assert location(submit_code(http, url, code_at(enrolled["secret"], clock))).startswith(REDIRECT)


def test_a_code_of_the_previous_and_next_step_is_accepted_not_further(http, app, clock):
    client_id, _ = make_client(app, first_party=True, require_acr="eidas2")
    make_account(app)
    enrolled = cli_enroll(app)
    totp = pyotp.TOTP(enrolled["secret"])
    url = password_login(http, client_id)
    assert submit_code(http, url, totp.at(clock.now() - 60)).status_code == 400
    assert location(submit_code(http, url, totp.at(clock.now() + 30))).startswith(REDIRECT)


def test_wrong_codes_are_throttled(http, app, clock):
    client_id, _ = make_client(app, first_party=True, require_acr="eidas2")
    make_account(app)
    enrolled = cli_enroll(app)
    url = password_login(http, client_id)
    right = code_at(enrolled["secret"], clock)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(app.config["IDP_SETTINGS"].login.max_failures):
        assert submit_code(http, url, wrong).status_code == 400
    locked = submit_code(http, url, right)
    assert locked.status_code == 429 and "Trop de tentatives" in page_text(locked)


def test_recovery_codes_work_once(http, app, clock):
    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    cli_enroll(app)
    location(submit_login(http, "/caf/login", IDENTIFIER, PASSWORD))
    manage = http.get("/caf/account/mfa")
    made = http.post("/caf/account/mfa/recovery-codes", data={"csrf_token": csrf(manage.get_data(as_text=True))})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", made.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    url = location(authorize(http, "caf", client_id, acr_values="eidas2"))
    step = http.get(path_of(url)).get_data(as_text=True)
    assert "Utiliser un code de secours" in step
    assert location(submit_code(http, url, codes[0].upper(), method="recovery_code")).startswith(REDIRECT)
    told = [m for m in messages(app, "email", "camille@example.fr") if m["template"] == "second_factor_changed"]
    assert any("code de secours" in m["text"] and "a été utilisé" in m["text"] for m in told)
    url = password_login(http, client_id, prompt="login", acr_values="eidas2")
    reused = submit_code(http, url, codes[0], method="recovery_code")
    assert reused.status_code == 400 and "Code incorrect ou déjà utilisé" in page_text(reused)
    assert location(submit_code(http, url, codes[1], method="recovery_code")).startswith(REDIRECT)


def test_max_age_applies_to_the_second_factor(http, app, clock):
    from idp.store.db import db
    from idp.store.models import SsoSession

    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    enrolled = cli_enroll(app)
    url = password_login(http, client_id, acr_values="eidas2")
    assert location(submit_code(http, url, code_at(enrolled["secret"], clock))).startswith(REDIRECT)
    with app.app_context():
        row = db.session.execute(db.select(SsoSession)).scalar_one()
        assert row.acr == "eidas2" and row.mfa_time
        row.mfa_time = int(time.time()) - 3600   # the factor an hour ago, the password just now
        db.session.commit()
    assert location(authorize(http, "caf", client_id, acr_values="eidas2", max_age="7200")).startswith(REDIRECT)
    url = location(authorize(http, "caf", client_id, acr_values="eidas2", max_age="600"))
    assert url.endswith("/mfa"), "the factor is too old: asked again, not the password"
    clock()
    assert location(submit_code(http, url, code_at(enrolled["secret"], clock))).startswith(REDIRECT)


def test_enrolment_in_the_account_pages(http, app, clock):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    location(submit_login(http, "/caf/login", IDENTIFIER, PASSWORD))
    page = http.get("/caf/account/mfa/totp")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html and 'autocomplete="one-time-code"' in html
    shown = re.search(r'<code id="secret">([A-Z2-7]+)</code>', html).group(1)
    wrong = http.post("/caf/account/mfa/totp", data={"csrf_token": csrf(html), "code": "000000"})
    assert wrong.status_code == 400 and "Code incorrect" in page_text(wrong)
    done = http.post("/caf/account/mfa/totp", data={"csrf_token": csrf(html), "code": code_at(shown, clock)})
    assert location(done).endswith("/caf/account/mfa?done=enrolled")
    assert "ajoutée le" in page_text(http.get("/caf/account/mfa"))
    told = [m for m in messages(app, "email", "camille@example.fr") if m["template"] == "second_factor_changed"]
    assert len(told) == 1 and "a été ajouté" in told[0]["text"] and shown not in told[0]["text"]
    # the session that enrolled holds the second factor: eidas2 goes straight through
    url = location(authorize(http, "caf", client_id, acr_values="eidas2"))
    assert id_token_claims(http, "caf", client_id, secret, url)["acr"] == "eidas2"


def test_a_tenant_requiring_mfa_offers_enrolment_after_the_password(http, app, monkeypatch, clock):
    tenant = app.extensions["idp_tenants"]["caf"]
    mfa = tenant.config.mfa.model_copy(update={"required": True})
    monkeypatch.setitem(app.extensions["idp_tenants"], "caf",
                        dataclasses.replace(tenant, config=tenant.config.model_copy(update={"mfa": mfa})))
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    url = password_login(http, client_id)
    assert url.endswith("/mfa")
    page = http.get(path_of(url))
    html = page.get_data(as_text=True)
    assert "Activer la double authentification" in page_text(page) and "<svg" in html
    shown = re.search(r'<code id="secret">([A-Z2-7]+)</code>', html).group(1)
    done = http.post(path_of(url), data={"csrf_token": csrf(html), "code": code_at(shown, clock)})
    claims = id_token_claims(http, "caf", client_id, secret, location(done))
    assert claims["acr"] == "eidas2" and claims["amr"] == ["pwd", "otp", "mfa"]


def test_operator_reset_removes_every_factor(http, app, clock):
    client_id, _ = make_client(app, first_party=True, require_acr="eidas2")
    make_account(app)
    cli_enroll(app)
    result = app.test_cli_runner().invoke(args=["users", "mfa-reset", "--tenant", "caf", "--identifier", IDENTIFIER,
                                                "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["factors_removed"] == 1
    told = [m for m in messages(app, "email", "camille@example.fr") if m["template"] == "second_factor_changed"]
    assert any("retirés par un agent" in m["text"] for m in told)
    url = password_login(http, client_id)
    assert "Activer la double authentification" in page_text(http.get(path_of(url)))


def test_franceconnect_asking_eidas2_gets_two_factors(http, app, clock):
    from idp.clients.admin import create_client

    host = "fcp-low.integ01.dev-franceconnect.fr"
    FC_CALLBACK, FC_SCOPE = f"https://{host}/api/v2/oidc-callback", "openid profile email birth identite_pivot"
    with app.app_context():
        row, secret = create_client("caf", name="FranceConnect", profile="franceconnect", franceconnect_host=host)
        client_id = row.client_id
    make_account(app)
    url = location(authorize(http, "caf", client_id, redirect_uri=FC_CALLBACK, scope=FC_SCOPE,
                             acr_values="eidas2", prompt="login"))
    url = location(submit_login(http, url, IDENTIFIER, PASSWORD))
    assert url.endswith("/mfa"), "an account without a second factor is offered to enrol one"
    html = http.get(path_of(url)).get_data(as_text=True)
    shown = re.search(r'<code id="secret">([A-Z2-7]+)</code>', html).group(1)
    done = location(http.post(path_of(url), data={"csrf_token": csrf(html), "code": code_at(shown, clock)}))
    assert done.startswith(FC_CALLBACK)
    response = exchange(http, "caf", client_id, secret, query(done)["code"], redirect_uri=FC_CALLBACK, auth="post")
    keys = KeySet.import_key_set(http.get("/caf/jwks.json").get_json())
    claims = jwt.decode(response.get_json()["id_token"], keys).claims
    assert claims["acr"] == "eidas2"
