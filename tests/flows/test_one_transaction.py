"""One transaction per request that changes state (issue 12): a request that dies half-way
writes nothing, so that what it was for (a new password ending the other sessions, a
consent revoked with its tokens, a session ended with its clients told) never stands half
done. Each test makes the request die at a point its writes used to be committed before,
then checks that nothing was written and that sending it again does the whole."""

from __future__ import annotations

import pytest

from helpers import code_tokens, csrf, location, make_account, page_text, token_request
from test_recovery import ask, reset, sms_code, verified_account
from test_selfservice import _consented, direct_login

NEW = {"new_password": "Nouveau2026Mdp", "new_password_repeat": "Nouveau2026Mdp"}


def died(*args, **kwargs):
    raise RuntimeError("the worker died here")


def password_hash(app):
    from idp.accounts.service import find_account

    with app.app_context():
        return find_account("caf", "1840312345678").password_hash


def sessions(app) -> int:
    from idp.store.db import db
    from idp.store.models import SsoSession

    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(SsoSession)).scalar()


def refreshes(http, client_id, secret, tokens) -> bool:
    answer = token_request(http, "caf", client_id, secret, {"grant_type": "refresh_token",
                                                            "refresh_token": tokens["refresh_token"]})
    tokens.update(answer.get_json())
    return answer.status_code == 200


def test_a_password_change_that_dies_changes_nothing(http, app, monkeypatch):
    other = app.test_client()
    client_id, secret, tokens = code_tokens(other, app, scope="openid offline_access")
    direct_login(http)
    before, page = password_hash(app), page_text(http.get("/caf/account"))
    with monkeypatch.context() as patched:
        patched.setattr("idp.accounts.credentials.revoke_refresh_tokens", died)
        with pytest.raises(RuntimeError):
            http.post("/caf/account/password", data={"csrf_token": csrf(page), "current_password": "Allocation2024", **NEW})
    assert password_hash(app) == before and sessions(app) == 2      # the old password, and the other session
    assert refreshes(other, client_id, secret, tokens)
    done = http.post("/caf/account/password", data={"csrf_token": csrf(page), "current_password": "Allocation2024", **NEW})
    assert location(done).endswith("done=password")
    assert password_hash(app) != before and sessions(app) == 1 and not refreshes(other, client_id, secret, tokens)


def test_a_reset_that_dies_keeps_the_password_and_the_code(http, app, monkeypatch):
    verified_account(app)
    ask(http, "1 84 03 12 345 678", "sms")
    before, code = password_hash(app), sms_code(app)
    with monkeypatch.context() as patched:
        patched.setattr("idp.accounts.credentials.revoke_refresh_tokens", died)
        with pytest.raises(RuntimeError):
            reset(http, code)
    assert password_hash(app) == before
    assert "Votre mot de passe a été modifié" in page_text(reset(http, code))   # the code was not used up


def test_revoking_a_consent_that_dies_keeps_the_consent_and_its_tokens_together(http, app, monkeypatch):
    client_id, secret, tokens = _consented(http, app)
    page = page_text(http.get("/caf/account"))
    with monkeypatch.context() as patched:
        patched.setattr("idp.oidc.consent.revoke_family", died)
        with pytest.raises(RuntimeError):
            http.post(f"/caf/account/consents/{client_id}/revoke", data={"csrf_token": csrf(page)})
    assert "RP de test" in page_text(http.get("/caf/account")) and refreshes(http, client_id, secret, tokens)
    http.post(f"/caf/account/consents/{client_id}/revoke", data={"csrf_token": csrf(page)})
    assert "RP de test" not in page_text(http.get("/caf/account")) and not refreshes(http, client_id, secret, tokens)


def test_ending_a_session_that_dies_before_its_clients_are_owed_a_logout_ends_nothing(http, app, monkeypatch):
    from idp.store.db import db
    from idp.store.models import BackchannelDelivery

    other = app.test_client()
    code_tokens(other, app, backchannel_logout_uri="https://rp.example/backchannel")
    direct_login(http)
    page = page_text(http.get("/caf/account"))
    with monkeypatch.context() as patched:
        patched.setattr("idp.oidc.backchannel.utcnow", died)    # recording the delivery owed to its client
        with pytest.raises(RuntimeError):
            http.post("/caf/account/sessions/0/end", data={"csrf_token": csrf(page)})
    assert sessions(app) == 2 and other.get("/caf/account").status_code == 200
    with monkeypatch.context() as patched:
        patched.setattr("idp.accounts.credentials.send_owed", lambda: [], raising=False)   # owed, not sent: the row stays
        http.post("/caf/account/sessions/0/end", data={"csrf_token": csrf(page)})
    with app.app_context():
        assert [row.client_id for row in db.session.execute(db.select(BackchannelDelivery)).scalars()] != []
    assert sessions(app) == 1


def test_a_login_that_dies_does_not_rehash_its_password_alone(http, app, monkeypatch):
    """The rehash on login (parameters changed) commits with the session and the code."""
    from argon2 import PasswordHasher

    from helpers import authorize, make_client, query, submit_login
    from idp.accounts.service import find_account
    from idp.store.db import db

    client_id, _ = make_client(app, first_party=True)
    make_account(app)
    with app.app_context():
        account = find_account("caf", "1840312345678")
        account.password_hash = PasswordHasher(memory_cost=128, time_cost=1, parallelism=1).hash("Allocation2024")
        db.session.commit()
    before = password_hash(app)
    login_url = location(authorize(http, "caf", client_id))
    with monkeypatch.context() as patched:
        patched.setattr("idp.oidc.authorize.issue_code", died)
        with pytest.raises(RuntimeError):
            submit_login(http, login_url, "1840312345678", "Allocation2024")
    assert password_hash(app) == before
    assert query(location(submit_login(http, login_url, "1840312345678", "Allocation2024")))["code"]
    assert password_hash(app) != before
