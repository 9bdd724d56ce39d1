"""/account: the password typed again is throttled as a login is."""

from __future__ import annotations

import re

import pytest
from helpers import ACCOUNTS, csrf, location, make_account, page_text
from messages_support import messages
from test_selfservice import _login_long_ago, direct_login

THROTTLED = re.compile(r"Trop de tentatives\. Réessayez dans \d+ secondes\.")

# form -> (path, the fields with the password typed again under "{pw}", the error's element id)
FORMS = {
    "password": ("/caf/account/password", {"current_password": "{pw}", "new_password": "Nouveau2026Mdp",
                                           "new_password_repeat": "Nouveau2026Mdp"}, "current_password-error"),
    "contact": ("/caf/account/contact", {"contact": "nouvelle@example.fr", "password": "{pw}"},
                "contact_password-error"),
    "delete": ("/caf/account/delete", {"password": "{pw}"}, "delete_password-error"),
}


def _post(http, form, password):
    path, fields, _ = FORMS[form]
    page = page_text(http.get("/caf/account"))
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
