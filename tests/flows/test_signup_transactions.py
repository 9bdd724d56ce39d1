"""A signup's account is written in one transaction with what depends on it (issue 12: one
transaction per request that changes state): a crash in between used to leave an account its
own signup did not know, so that sending the page again said the identifier was taken."""

from __future__ import annotations

import pytest

from helpers import location, page_text
from test_signup_existing_accounts import accounts, caf_until_recap
from test_signup_caf import post as caf


def died(*args, **kwargs):
    raise RuntimeError("the worker died here")


def test_a_last_step_that_dies_before_the_login_writes_no_account(http, app, monkeypatch):
    caf_until_recap(http, app)
    with monkeypatch.context() as patched:
        patched.setattr("idp.oidc.sessions.start_session", died)
        with pytest.raises(RuntimeError):
            caf(http, "recapitulatif", {})
    assert accounts(app, "caf") == 0
    done = caf(http, "recapitulatif", {})
    assert done.status_code == 200 and "Un compte existe déjà" not in page_text(done)
    assert accounts(app, "caf") == 1


def test_an_activation_step_that_dies_before_the_signup_knows_its_account_writes_none(http, app, monkeypatch):
    from idp.signup.state import SignupState
    from test_signup_mairie import post_step, signup_until_activation

    signup_until_activation(http)
    save = SignupState.save

    def dies_once_the_account_is_in(state):
        if "account_id" in state.data:
            died()
        save(state)

    with monkeypatch.context() as patched:
        patched.setattr(SignupState, "save", dies_once_the_account_is_in)
        with pytest.raises(RuntimeError):
            post_step(http, "activation", {"channel": "sms"})
    assert accounts(app, "mairie") == 0
    assert location(post_step(http, "activation", {"channel": "sms"})).endswith("/activation/code")
    assert accounts(app, "mairie") == 1
