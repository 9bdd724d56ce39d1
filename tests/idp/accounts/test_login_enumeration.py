"""Login gives an anonymous caller the same answer, the same work and the same counting for a
name that designates an account and for one that does not, whatever the identifier scheme
(mairie's "identifiant ou adresse électronique" included)."""

from __future__ import annotations

import pytest

from helpers import authorize, location, make_account, make_client, page_text, submit_login

WRONG = "Identifiant ou mot de passe incorrect."
THROTTLED = "Trop de tentatives. Réessayez dans 60 secondes."


@pytest.fixture
def argon2_verifications(monkeypatch):
    """The Argon2 hashes each login verified against (their parameters only)."""
    from argon2 import PasswordHasher

    seen: list[str] = []
    real = PasswordHasher.verify

    def spy(self, hash_, password):
        seen.append(hash_.split("$")[3])            # "m=…,t=…,p=…"
        return real(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return seen


def _login_url(http, app, tenant):
    client_id, _ = make_client(app, tenant, first_party=True)
    return location(authorize(http, tenant, client_id))


# every scheme the tenants use: (tenant, account's identifier, name typed of it, name of no account)
CASES = [
    ("caf", "1840312345678", "1 84 03 12 345 678", "1840312345679"),        # nir13
    ("caf", "P012345678958", "P012345678958", "P012345678067"),             # provisional identifier
    ("ameli", "2910775123456", "291077512345652", "2910775123457"),         # nir13, typed with its key
    ("mairie", "jean.dupont", "jean.dupont", "jean.dupond"),                # username
    ("mairie", "jean.dupont", "jean.dupont@example.fr", "personne@example.fr"),  # verified email
]


@pytest.mark.parametrize("tenant, identifier, known, unknown", CASES)
def test_unknown_name_same_answer_and_same_argon2_work(http, app, argon2_verifications, tenant, identifier,
                                                        known, unknown):
    make_account(app, tenant, identifier=identifier, email="jean.dupont@example.fr")
    login_url = _login_url(http, app, tenant)
    answers = []
    for name in (known, unknown):
        argon2_verifications.clear()
        response = submit_login(http, login_url, name, "Mauvais-mot-de-passe-1")
        answers.append((response.status_code, WRONG in page_text(response), 'id="identifier-error"' in page_text(response)))
        assert argon2_verifications == ["m=64,t=1,p=1"], name    # one verification, the tenant's parameters
    assert answers == [(400, True, False), (400, True, False)]


def test_account_without_password_costs_the_same(http, app, argon2_verifications):
    """An account made through FranceConnect has no password: a dummy verification still runs."""
    from idp.store.db import db, scoped_first
    from idp.store.models import Account

    account_id = make_account(app, "mairie", identifier="jean.dupont", email="jean.dupont@example.fr")
    with app.app_context():
        scoped_first(Account, "mairie", id=account_id).password_hash = None
        db.session.commit()
    response = submit_login(http, _login_url(http, app, "mairie"), "jean.dupont@example.fr", "Mairie2024Demo")
    assert WRONG in page_text(response) and argon2_verifications == ["m=64,t=1,p=1"]


def test_malformed_email_is_a_format_message_for_everyone(http, app, argon2_verifications):
    response = submit_login(http, _login_url(http, app, "mairie"), "jean.dupont@", "Mairie2024Demo")
    assert response.status_code == 400 and 'id="identifier-error"' in page_text(response)
    assert WRONG not in page_text(response) and argon2_verifications == []


@pytest.mark.parametrize("email", ["jean.dupont@example.fr", "personne@example.fr"])
def test_email_logins_are_throttled_whether_the_email_exists_or_not(http, app, email):
    make_account(app, "mairie", identifier="jean.dupont", email="jean.dupont@example.fr")
    login_url = _login_url(http, app, "mairie")
    for _ in range(5):
        assert WRONG in page_text(submit_login(http, login_url, email, "Mauvais-mot-de-passe-1"))
    blocked = submit_login(http, login_url, email.upper(), "Mairie2024Demo")   # the same name, typed otherwise
    assert THROTTLED in page_text(blocked)


def test_unknown_emails_count_for_the_address(http, app):
    make_account(app, "mairie", identifier="jean.dupont", email="jean.dupont@example.fr")
    login_url = _login_url(http, app, "mairie")
    for i in range(30):
        submit_login(http, login_url, f"personne{i}@example.fr", "Mauvais-mot-de-passe-1")
    blocked = submit_login(http, login_url, "jean.dupont", "Mairie2024Demo")
    assert "Trop de tentatives" in page_text(blocked)


def test_a_locked_identifier_does_not_tell_which_email_is_its(http, app):
    """Locking ``jean.dupont`` must not make its email answer "Trop de tentatives": the
    lock would tell whose the email is."""
    make_account(app, "mairie", identifier="jean.dupont", email="jean.dupont@example.fr")
    login_url = _login_url(http, app, "mairie")
    for _ in range(5):
        submit_login(http, login_url, "jean.dupont", "Mauvais-mot-de-passe-1")
    assert THROTTLED in page_text(submit_login(http, login_url, "jean.dupont", "Mauvais-mot-de-passe-1"))
    for email in ("jean.dupont@example.fr", "personne@example.fr"):
        assert WRONG in page_text(submit_login(http, login_url, email, "Mauvais-mot-de-passe-1"))


def test_the_right_password_by_email_still_logs_in(http, app):
    make_account(app, "mairie", identifier="jean.dupont", email="jean.dupont@example.fr")
    response = submit_login(http, _login_url(http, app, "mairie"), "Jean.Dupont@example.fr", "Mairie2024Demo")
    assert response.status_code in (302, 303) and "code=" in location(response)
