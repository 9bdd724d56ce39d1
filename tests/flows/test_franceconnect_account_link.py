"""The FranceConnect link in /account: shown, removable after a recent authentication, ended by
a new password when it was added to an existing account, told to the holder and audited."""

from __future__ import annotations

import json
import logging
import re

import pytest

from franceconnect_support import franceconnect_for, rows, start_from_rp, through_franceconnect
from helpers import ACCOUNTS, authorize, csrf, location, make_account, make_client, page_text, query
from messages_support import messages

JEAN_NOEL_NIR = "1721169123045"
LINKED = "Votre compte est relié à FranceConnect depuis le "
REMOVE = "Retirer le lien avec FranceConnect"


@pytest.fixture
def standin(app):
    with franceconnect_for(app) as running:
        yield running


def _linked_account(app, origin: str | None = None, password=True) -> str:
    """A caf account with a FranceConnect link written (as the journey writes it)."""
    from flask import g

    from idp.store.db import db
    from idp.federation import linking
    from idp.store.models import Account

    account_id = make_account(app, "caf")
    with app.test_request_context("/caf/"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        account = db.session.get(Account, account_id)
        linking.link(account, "f" * 64 + "v1")
        if origin:
            account.profile = {**account.profile, "origin": origin}
        if not password:
            account.password_hash = None
        db.session.commit()
    return account_id


def _log_in(http, tenant="caf"):
    page = page_text(http.get(f"/{tenant}/login"))
    identifier, password = ACCOUNTS[tenant]
    assert location(http.post(f"/{tenant}/login", data={"csrf_token": csrf(page), "identifier": identifier,
                                                        "password": password})).endswith("/account")


def _age_sessions(app, seconds: int):
    from idp.store.db import db
    from idp.store.models import SsoSession

    with app.app_context():
        for row in db.session.execute(db.select(SsoSession)).scalars():
            row.auth_time -= seconds
        db.session.commit()


def _remove(http, **fields):
    page = page_text(http.get("/caf/account"))
    assert [name for name in fields if f'name="{name}"' not in page] == []    # what a browser sends
    return http.post("/caf/account/franceconnect/remove", data={"csrf_token": csrf(page), **fields})


def test_a_link_is_shown_and_removed_then_needs_the_password_again(http, app, standin, caplog):
    """Through the stand-in: linked after a password login, shown in /account, removed there
    (the login is recent), told and audited; FranceConnect then asks for the password again."""
    from idp.store.models import FederatedIdentity

    caplog.set_level(logging.INFO, logger="idp.audit")
    account_id = make_account(app, "caf", identifier=JEAN_NOEL_NIR, given_name="Jean-Noël", family_name="Béranger",
                              birthdate="1972-11-05", email="jn@example.fr")
    client_id, _ = make_client(app, "caf", first_party=True)
    _, fc_url = start_from_rp(http, "caf", client_id)
    assert location(through_franceconnect(http, fc_url, "jean-noel")).endswith("/franceconnect/link")
    page = page_text(http.get("/caf/franceconnect/link"))
    http.post("/caf/franceconnect/link", data={"csrf_token": csrf(page), "identifier": JEAN_NOEL_NIR,
                                               "password": "Allocation2024"})
    overview = page_text(http.get("/caf/account"))
    assert LINKED in overview and REMOVE in overview
    removed = _remove(http)
    assert location(removed).endswith("done=franceconnect")
    after = page_text(http.get(location(removed)))
    assert "Le lien avec FranceConnect a été retiré." in after and LINKED not in after
    assert rows(app, FederatedIdentity) == []
    [told] = [m for m in messages(app, "email", "jn@example.fr") if m["template"] == "franceconnect_unlinked"]
    assert "Le lien entre votre compte" in told["text"]
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "idp.audit"]
    assert any(e["event"] == "franceconnect.unlink" and e["reason"] == "holder" and e["account"] == account_id
               for e in events)
    other = app.test_client()
    _, fc_url = start_from_rp(other, "caf", client_id)
    assert location(through_franceconnect(other, fc_url, "jean-noel")).endswith("/franceconnect/link")


def test_an_older_login_must_type_the_password_to_remove_it(http, app):
    from idp.store.models import FederatedIdentity

    _linked_account(app)
    _log_in(http)
    _age_sessions(app, app.config["IDP_SETTINGS"].verification.recent_authentication + 60)
    assert 'id="franceconnect_password"' in page_text(http.get("/caf/account"))
    missing = _remove(http)
    assert missing.status_code == 400
    assert "Pour retirer le lien avec FranceConnect, saisissez votre mot de passe." in page_text(missing)
    wrong = _remove(http, franceconnect_password="pas-le-bon")
    assert wrong.status_code == 400 and "Le mot de passe est incorrect." in page_text(wrong)
    assert len(rows(app, FederatedIdentity)) == 1
    assert location(_remove(http, franceconnect_password=ACCOUNTS["caf"][1])).endswith("done=franceconnect")
    assert rows(app, FederatedIdentity) == []


def test_an_account_without_password_keeps_its_only_way_in(http, app, standin):
    """Created through FranceConnect, no password yet: removing the link would lock it out."""
    from idp.store.models import FederatedIdentity

    client_id, _ = make_client(app, "mairie", first_party=True)
    _, fc_url = start_from_rp(http, "mairie", client_id)
    through_franceconnect(http, fc_url, "ines")
    page = page_text(http.get("/mairie/franceconnect/complete"))
    proposed = re.search(r'id="identifier" name="identifier" type="text" value="([^"]*)"', page).group(1)
    http.post("/mairie/franceconnect/complete", data={"csrf_token": csrf(page), "identifier": proposed,
                                                      "email": "ines.fernandez@exemple.fr", "cgu": "on"})
    assert LINKED in page_text(http.get("/mairie/account"))
    page = page_text(http.get("/mairie/account"))
    refused = http.post("/mairie/account/franceconnect/remove", data={"csrf_token": csrf(page)})
    assert refused.status_code == 400
    assert "Ajoutez d'abord un mot de passe : sans lui, FranceConnect est le seul moyen" in page_text(refused)
    assert len(rows(app, FederatedIdentity)) == 1
    added = http.post("/mairie/account/password", data={"csrf_token": csrf(page), "new_password": "Ines-Mairie-2026",
                                                         "new_password_repeat": "Ines-Mairie-2026"})
    assert location(added).endswith("done=password")
    assert len(rows(app, FederatedIdentity)) == 1          # its origin, not a borrowed password: it stays


@pytest.mark.parametrize("how", ["change", "reset"])
def test_a_new_password_ends_a_link_added_with_the_old_one(http, app, how):
    """Whoever linked their FranceConnect identity with a password they should not have had
    loses it when the holder changes or resets that password."""
    from idp.accounts import credentials
    from idp.store.db import commit_request, db
    from idp.store.models import Account, FederatedIdentity

    account_id = _linked_account(app)
    if how == "change":
        _log_in(http)
        page = page_text(http.get("/caf/account"))
        changed = http.post("/caf/account/password", data={"csrf_token": csrf(page), "current_password": "Allocation2024",
                                                           "new_password": "Nouveau2026Mdp",
                                                           "new_password_repeat": "Nouveau2026Mdp"})
        assert location(changed).endswith("done=password")
    else:
        from flask import g

        with app.test_request_context("/caf/password/reset"):   # what recovery.reset calls once the code is right
            g.tenant = app.extensions["idp_tenants"]["caf"]
            credentials.password_changed(db.session.get(Account, account_id), keep=None, how="reset")
            commit_request()
    assert rows(app, FederatedIdentity) == []
    assert [m["template"] for m in messages(app, "email", "camille@example.fr")].count("franceconnect_unlinked") == 1


def test_removing_the_link_ends_the_sessions_opened_through_franceconnect(http, app):
    from flask import g

    from idp.store.db import db
    from idp.store.models import Account
    from idp.oidc import sessions

    account_id = _linked_account(app)
    client_id, _ = make_client(app, "caf", first_party=True)
    with app.test_request_context("/caf/"):       # a session opened through FranceConnect, elsewhere
        g.tenant = app.extensions["idp_tenants"]["caf"]
        sessions.start_session(db.session.get(Account, account_id), "eidas1", ["fc"],
                               upstream=("franceconnect", "id.token.of-franceconnect"))
        db.session.commit()                       # start_session takes part in its caller's transaction
    _log_in(http)
    assert location(_remove(http)).endswith("done=franceconnect")
    assert "code" in query(location(authorize(http, "caf", client_id, prompt="none")))      # this one stays
    from idp.store.models import SsoSession

    with app.app_context():
        left = db.session.execute(db.select(SsoSession)).scalars().all()
    assert [row.upstream_provider for row in left] == [None]
