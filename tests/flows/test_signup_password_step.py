"""The signup's password step gives no free Argon2 work: the policy is checked without
hashing, the password waits sealed in the signup's server-side state, it is hashed once
when the account is created, and the step is limited per address."""

from __future__ import annotations

import base64
import json
import re
from types import SimpleNamespace

import pytest

from helpers import csrf, location, page_text, submit_login, authorize, make_client
from messages_support import last_message
from test_signup_mairie import IDENTITY, PASSWORD, post_step

LIMIT = "Trop d'essais pour cette étape. Réessayez dans 60 minutes."


@pytest.fixture
def argon2_hashes(monkeypatch):
    from argon2 import PasswordHasher

    made: list[str] = []
    real = PasswordHasher.hash

    def spy(self, password, *args, **kwargs):
        made.append(password)
        return real(self, password, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", spy)
    return made


def until_password(http):
    http.get("/mairie/signup")
    post_step(http, "profil", {"profile_type": "citoyen"})
    post_step(http, "identite", IDENTITY)
    post_step(http, "identifiant", {"identifier": "elodie.durand"})


def signup_row(app):
    from idp.store.db import db
    from idp.store.models import Signup
    from idp.security.vault import vault

    with app.app_context():
        row = db.session.execute(db.select(Signup)).scalar_one()
        return row.data_sealed, json.loads(vault().unseal(row.tenant, row.data_sealed))


def test_password_is_hashed_once_when_the_account_is_created(http, app, argon2_hashes):
    until_password(http)
    refused = post_step(http, "mot-de-passe", {"password": "court", "password_repeat": "court"})
    assert refused.status_code == 400
    for _ in range(3):
        accepted = post_step(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD})
        assert location(accepted).endswith("/conditions")
    assert argon2_hashes == []                                  # no Argon2 while the signup goes on
    post_step(http, "conditions", {"cgu": "on", "rgpd": "on"})
    assert location(post_step(http, "activation", {"channel": "sms"})).endswith("/activation/code")
    assert argon2_hashes == [PASSWORD]                          # once, for the account
    code = re.search(r"\b(\d{6})\b", last_message(app, "sms", "+33612345678")["text"]).group(1)
    page = page_text(http.get("/mairie/signup/activation/code"))
    assert "Votre compte est activé" in page_text(http.post("/mairie/signup/activation/code",
                                                            data={"csrf_token": csrf(page), "code": code}))
    client_id, _ = make_client(app, "mairie", first_party=True)
    browser = app.test_client()
    logged_in = submit_login(browser, location(authorize(browser, "mairie", client_id)), "elodie.durand", PASSWORD)
    assert "code=" in location(logged_in)


def test_password_waits_sealed_never_in_clear(http, app):
    until_password(http)
    response = post_step(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD})
    raw, data = signup_row(app)
    assert PASSWORD.encode() not in raw and PASSWORD not in json.dumps(data)
    assert "password_hash" not in data and data["password_sealed"]
    assert PASSWORD not in str(response.headers) and all(PASSWORD not in c.value for c in http._cookies.values())


def test_a_sealed_password_opens_only_in_its_own_signup(http, app):
    from cryptography.exceptions import InvalidTag

    from idp.security.vault import vault
    from idp.signup.steps import _password_context

    until_password(http)
    post_step(http, "mot-de-passe", {"password": PASSWORD, "password_repeat": PASSWORD})
    _, data = signup_row(app)
    another_signup = SimpleNamespace(row=SimpleNamespace(tenant="mairie", id="another-signup"))
    with app.app_context(), pytest.raises(InvalidTag):
        vault().unseal(_password_context(another_signup), base64.b64decode(data["password_sealed"]))


def test_password_step_is_limited_per_address(http, app, argon2_hashes):
    until_password(http)
    token = csrf(page_text(http.get("/mairie/signup/mot-de-passe")))
    for _ in range(30):
        answer = http.post("/mairie/signup/mot-de-passe", data={"csrf_token": token, "password": "court",
                                                                 "password_repeat": "court"})
        assert answer.status_code == 400
    blocked = http.post("/mairie/signup/mot-de-passe", data={"csrf_token": token, "password": PASSWORD,
                                                              "password_repeat": PASSWORD})
    assert blocked.status_code == 429 and LIMIT in page_text(blocked)
    other_address = http.post("/mairie/signup/mot-de-passe", environ_base={"REMOTE_ADDR": "192.0.2.7"},
                              data={"csrf_token": token, "password": PASSWORD, "password_repeat": PASSWORD})
    assert location(other_address).endswith("/conditions")
