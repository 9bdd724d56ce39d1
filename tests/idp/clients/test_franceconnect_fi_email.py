"""The email FranceConnect requires of an identity (franceconnect.md §7), added during its
request (``/interaction/<handle>/email``): only to an account without one, only in
FranceConnect's request, only after a recent login, and "in use" answers counted.

The page used to answer any interaction of any logged-in browser: a session left open
replaced the account's email with its own, without the password /account asks for a
contact change and without telling the old address, then "Mot de passe oublié" took the
account; and it told, without limit, which addresses other accounts had.
"""

from __future__ import annotations

import re

import pytest

from helpers import ACCOUNTS, authorize, csrf, location, make_client, page_text, path_of, submit_login
from test_franceconnect_fi import (BORN_IN_LYON, FC_CALLBACK, FC_SCOPE, account_with, live_session, random_alnum,
                                   register_franceconnect)

IN_USE = "Cette adresse électronique est déjà utilisée par un autre compte."
CHECKS_LIMIT = "Trop de vérifications en peu de temps. Réessayez dans "


def franceconnect_request(http, client_id, **params):
    return authorize(http, "caf", client_id, redirect_uri=FC_CALLBACK, scope=FC_SCOPE, acr_values="eidas1",
                     state=random_alnum(32), nonce=random_alnum(32), **params)


def account_email(app, account_id):
    from idp.store.db import db
    from idp.store.models import Account

    with app.app_context():
        return db.session.get(Account, account_id).email


def sent_to(app, address):
    return [m for m in app.extensions["idp_notifier"].outbox() if m["to"] == address]


def login_long_ago(app, account_id):
    """The session's login is older than [verification] recent_authentication."""
    from idp.store.db import db
    from idp.store.models import SsoSession

    with app.app_context():
        for row in db.session.execute(db.select(SsoSession).where(SsoSession.account_id == account_id)).scalars():
            row.auth_time -= 3600
        db.session.commit()


@pytest.mark.parametrize("case", ["franceconnect, account with an email", "another client, account without"])
def test_the_email_step_never_replaces_an_email_nor_serves_another_request(http, app, case):
    if case.startswith("franceconnect"):
        client_id, _ = register_franceconnect(app)
        account_id = account_with(app, BORN_IN_LYON)
        pending = franceconnect_request(http, client_id, prompt="login")
    else:
        client_id, _ = make_client(app, "caf")
        account_id = account_with(app, BORN_IN_LYON, email=None)
        pending = authorize(http, "caf", client_id, prompt="login")
    live_session(http)                                   # a session left open, with the request pending
    handle = path_of(location(pending)).rsplit("/", 1)[1]
    page = http.get(f"/caf/interaction/{handle}/email")
    assert location(page).endswith(f"/caf/interaction/{handle}/resume")
    token = csrf(page_text(http.get(f"/caf/login")))
    sent = http.post(f"/caf/interaction/{handle}/email",
                     data={"csrf_token": token, "action": "send", "email": "intruder@example.org"})
    assert location(sent).endswith(f"/caf/interaction/{handle}/resume")
    assert sent_to(app, "intruder@example.org") == []
    assert account_email(app, account_id) == (None if case.startswith("another") else "camille@example.fr")


def test_the_email_is_added_only_after_a_recent_login(http, app):
    client_id, _ = register_franceconnect(app)
    account_id = account_with(app, BORN_IN_LYON, email=None)
    live_session(http)
    login_long_ago(app, account_id)
    asked = location(franceconnect_request(http, client_id))       # no prompt=login: the old session
    handle = path_of(asked).rsplit("/", 1)[1]
    assert path_of(asked) == f"/caf/interaction/{handle}", "a fresh login first, not the email page"
    assert location(http.get(f"/caf/interaction/{handle}/email")).endswith(f"/caf/interaction/{handle}")
    identifier, password = ACCOUNTS["caf"]
    assert location(submit_login(http, asked, identifier, password)).endswith(f"/caf/interaction/{handle}/email")
    page = http.get(f"/caf/interaction/{handle}/email")
    assert page.status_code == 200 and "a besoin d'une adresse électronique" in page_text(page)


def test_email_in_use_answers_are_limited_per_address(http, app):
    from test_franceconnect_fi import make_account

    make_account(app, "caf", identifier="2900569123456", email="louise@example.fr")
    client_id, _ = register_franceconnect(app)
    account_with(app, BORN_IN_LYON, email=None)
    identifier, password = ACCOUNTS["caf"]
    asked = location(submit_login(http, location(franceconnect_request(http, client_id, prompt="login")),
                                  identifier, password))
    token = csrf(page_text(http.get(path_of(asked))))
    for _ in range(30):                                 # [signup_limits] checks_per_address
        answer = http.post(path_of(asked), data={"csrf_token": token, "action": "send", "email": "louise@example.fr"})
        assert answer.status_code == 400 and IN_USE in page_text(answer)
    blocked = http.post(path_of(asked), data={"csrf_token": token, "action": "send", "email": "louise@example.fr"})
    assert blocked.status_code == 429 and re.search(CHECKS_LIMIT + r"\d+ minutes\.", page_text(blocked))
    assert IN_USE not in page_text(blocked)
