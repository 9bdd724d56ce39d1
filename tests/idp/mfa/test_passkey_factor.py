"""``PASSKEY_FACTOR`` (idp/mfa/passkeys.py), the passkey as a second factor, called without
pages: the ceremonies against a software authenticator (tests/softauthn.py)."""

from __future__ import annotations

import pytest
from flask import g

from helpers import make_account
from softauthn import SoftAuthenticator


@pytest.fixture
def caf(app):
    with app.test_request_context("/caf/account"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        yield app


def _account(account_id):
    from idp.store.db import scoped_first
    from idp.store.models import Account

    return scoped_first(Account, id=account_id)


def _enrol(account, authenticator, name="Clé"):
    from idp.mfa import passkeys
    from idp.store.db import db

    handle, options = passkeys.registration_options(account)
    row = passkeys.register(account, handle, authenticator.create(options), name)
    db.session.commit()
    return row


def test_the_factor_verifies_its_account_passkey_once(caf):
    from idp.mfa.passkeys import PASSKEY_FACTOR, PasskeyError
    from idp.store.db import db

    account = _account(make_account(caf))
    assert PASSKEY_FACTOR.name == "passkey" and not PASSKEY_FACTOR.enrolled(account)
    authenticator = SoftAuthenticator()
    row = _enrol(account, authenticator)
    assert PASSKEY_FACTOR.enrolled(account)
    handle, options = PASSKEY_FACTOR.options(account)
    assert [c["id"] for c in options["allowCredentials"]] == [row.credential_id]
    assert options["userVerification"] == "required"
    answer = authenticator.get(options)
    used = PASSKEY_FACTOR.verify(account, handle, answer)
    assert used.account.id == account.id and used.amr == ["hwk", "user", "mfa"] and row.sign_count == 1
    db.session.commit()
    with pytest.raises(PasskeyError) as replayed:
        PASSKEY_FACTOR.verify(account, handle, answer)
    assert replayed.value.code == "challenge_unknown"


def test_another_accounts_passkey_or_challenge_is_refused(caf):
    from idp.mfa.passkeys import PASSKEY_FACTOR, PasskeyError

    mine = _account(make_account(caf))
    theirs = _account(make_account(caf, identifier="1840312345679", email="autre@example.fr"))
    authenticator = SoftAuthenticator()
    _enrol(theirs, authenticator)
    _enrol(mine, SoftAuthenticator())
    handle, options = PASSKEY_FACTOR.options(mine)
    with pytest.raises(PasskeyError) as refused:
        PASSKEY_FACTOR.verify(mine, handle, authenticator.get(options))       # their key, my challenge
    assert refused.value.code == "unknown_credential"
    handle, options = PASSKEY_FACTOR.options(theirs)
    with pytest.raises(PasskeyError) as refused:
        PASSKEY_FACTOR.verify(mine, handle, authenticator.get(options))       # their challenge
    assert refused.value.code == "challenge_unknown"


def test_origin_rp_id_and_counter_are_checked(caf):
    from idp.mfa.passkeys import PASSKEY_FACTOR, PasskeyError

    account = _account(make_account(caf))
    authenticator = SoftAuthenticator()
    _enrol(account, authenticator)
    for overrides, code in (({"origin": "https://idp.test"}, "invalid_response"),
                            ({"rp_id": "other.test"}, "invalid_response"),
                            ({"uv": False}, "invalid_response")):
        handle, options = PASSKEY_FACTOR.options(account)
        with pytest.raises(PasskeyError) as refused:
            PASSKEY_FACTOR.verify(account, handle, authenticator.get(options, **overrides))
        assert refused.value.code == code, overrides
    handle, options = PASSKEY_FACTOR.options(account)
    PASSKEY_FACTOR.verify(account, handle, authenticator.get(options, counter=10))
    handle, options = PASSKEY_FACTOR.options(account)
    with pytest.raises(PasskeyError) as refused:
        PASSKEY_FACTOR.verify(account, handle, authenticator.get(options, counter=10))   # not greater
    assert refused.value.code == "counter_regression"


def test_the_same_authenticator_is_not_registered_twice(caf):
    from idp.mfa import passkeys
    from idp.mfa.passkeys import PasskeyError

    account = _account(make_account(caf))
    authenticator = SoftAuthenticator()
    _enrol(account, authenticator)
    handle, options = passkeys.registration_options(account)
    assert options["excludeCredentials"][0]["id"] == passkeys.credentials_of(account)[0].credential_id
    with pytest.raises(PasskeyError) as refused:
        passkeys.register(account, handle, authenticator.create(options), "Encore")
    assert refused.value.code == "already_registered"


def test_rp_id_and_origin_come_from_public_url(caf):
    from idp.mfa import passkeys

    assert passkeys.rp_id() == "idp.test" and passkeys.expected_origin() == "http://idp.test"
