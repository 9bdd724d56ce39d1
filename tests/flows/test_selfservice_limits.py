"""/account: the password typed again is throttled as a login is, and a new email is
refused when the tenant wants one email per account."""

from __future__ import annotations

import re

import pytest
from helpers import ACCOUNTS, csrf, location, make_account, page_text
from messages_support import messages
from test_selfservice import _login_long_ago, direct_login

THROTTLED = re.compile(r"Trop de tentatives\. Réessayez dans \d+ secondes\.")
EMAIL_TAKEN = "Cette adresse électronique est déjà utilisée par un autre compte."

# form -> (path, the fields with the password typed again under "{pw}", the error's element id)
FORMS = {
    "password": ("/caf/account/password", {"current_password": "{pw}", "new_password": "Nouveau2026Mdp",
                                           "new_password_repeat": "Nouveau2026Mdp"}, "current_password-error"),
    "contact": ("/caf/account/contact", {"contact": "nouvelle@example.fr", "contact_password": "{pw}"},
                "contact_password-error"),
    "delete": ("/caf/account/delete", {"delete_password": "{pw}"}, "delete_password-error"),
}


def _post(http, form, password):
    path, fields, _ = FORMS[form]
    page = page_text(http.get("/caf/account"))
    assert [name for name in fields if f'name="{name}"' not in page] == []    # what a browser sends
    data = {name: value.replace("{pw}", password) for name, value in fields.items()}
    return http.post(path, data={"csrf_token": csrf(page), **data})


def _login(http, password):
    page = page_text(http.get("/caf/login"))
    return http.post("/caf/login", data={"csrf_token": csrf(page), "identifier": ACCOUNTS["caf"][0],
                                         "password": password})


@pytest.mark.parametrize("form", FORMS)
def test_password_typed_again_is_throttled_as_a_login(http, app, form):
    """5 wrong passwords in /account lock the identifier as 5 failed logins do: the right
    one is then refused too, in /account and at the login page."""
    make_account(app)
    direct_login(http)
    _login_long_ago(app)
    right = ACCOUNTS["caf"][1]
    for _ in range(app.config["IDP_SETTINGS"].login.max_failures):
        wrong = _post(http, form, "Pas-le-bon-2024")
        assert wrong.status_code == 400 and FORMS[form][2] in page_text(wrong)
    locked = _post(http, form, right)
    assert locked.status_code == 429 and THROTTLED.search(page_text(locked)), page_text(locked)[:3000]
    assert THROTTLED.search(page_text(_login(app.test_client(), right)))
    assert messages(app, "email", "nouvelle@example.fr") == []


def test_login_failures_count_for_the_password_typed_again(http, app):
    """The budget is one: failures at the login page and in /account add up."""
    make_account(app)
    direct_login(http)
    for _ in range(app.config["IDP_SETTINGS"].login.max_failures - 1):
        assert "Identifiant ou mot de passe incorrect." in page_text(_login(app.test_client(), "Pas-le-bon-2024"))
    assert _post(http, "delete", "Pas-le-bon-2024").status_code == 400
    locked = _post(http, "delete", ACCOUNTS["caf"][1])
    assert locked.status_code == 429 and THROTTLED.search(page_text(locked))


def test_right_password_typed_again_clears_the_identifiers_failures(http, app):
    make_account(app)
    direct_login(http)
    for _ in range(app.config["IDP_SETTINGS"].login.max_failures - 1):
        _post(http, "password", "Pas-le-bon-2024")
    changed = _post(http, "password", ACCOUNTS["caf"][1])
    assert location(changed).endswith("done=password")
    assert "Identifiant ou mot de passe incorrect." in page_text(_login(app.test_client(), "Pas-le-bon-2024"))
    assert location(_login(app.test_client(), "Nouveau2026Mdp")).endswith("/caf/account")


def _ameli_login(http):
    identifier, password = ACCOUNTS["ameli"]
    page = page_text(http.get("/ameli/login"))
    return http.post("/ameli/login", data={"csrf_token": csrf(page), "identifier": identifier, "password": password})


def _ask_contact(http, contact, tenant="ameli"):
    page = page_text(http.get(f"/{tenant}/account"))
    return http.post(f"/{tenant}/account/contact", data={"csrf_token": csrf(page), "contact": contact})


def test_new_email_used_by_another_account_is_refused_with_unique_email(http, app):
    """ameli has ``unique_email``: the address of another account is refused, any case."""
    make_account(app, "ameli")
    make_account(app, "ameli", identifier="1840312345678", email="autre@example.fr")
    _ameli_login(http)
    refused = _ask_contact(http, "Autre@Example.fr")
    assert refused.status_code == 400 and EMAIL_TAKEN in page_text(refused)
    assert 'id="contact-error"' in page_text(refused)
    assert messages(app, "email") == []
    assert location(_ask_contact(http, "libre@example.fr")).endswith("done=contact_sent")


def test_email_taken_while_the_code_was_on_its_way_is_refused_at_confirmation(http, app):
    from idp.accounts.service import find_account
    from idp.store.db import db

    make_account(app, "ameli")
    make_account(app, "ameli", identifier="1840312345678", email="autre@example.fr")
    _ameli_login(http)
    _ask_contact(http, "libre@example.fr")
    code = re.search(r"\b(\d{6})\b", messages(app, "email", "libre@example.fr")[0]["text"]).group(1)
    with app.app_context():
        find_account("ameli", "1840312345678").email = "libre@example.fr"
        db.session.commit()
    page = page_text(http.get("/ameli/account"))
    refused = http.post("/ameli/account/contact", data={"csrf_token": csrf(page), "action": "confirm", "code": code})
    assert refused.status_code == 400 and EMAIL_TAKEN in page_text(refused)
    with app.app_context():
        assert find_account("ameli", ACCOUNTS["ameli"][0]).email == "camille@example.fr"


def test_email_of_another_account_is_accepted_without_unique_email(http, app):
    """caf does not ask for one email per account (families share one)."""
    make_account(app)
    make_account(app, "caf", identifier="2910775123456", email="autre@example.fr")
    direct_login(http)
    assert location(_ask_contact(http, "autre@example.fr", "caf")).endswith("done=contact_sent")
