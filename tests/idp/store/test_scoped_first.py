"""``scoped_first`` reuses one statement per model and filter names (issue 15), and stays
restricted to the tenant asked, with ``None`` still meaning ``IS NULL``."""

from __future__ import annotations

from helpers import make_account


def test_the_same_lookup_is_built_once_and_keeps_its_tenant(app):
    from idp.store import db as store
    from idp.store.db import scoped_first
    from idp.store.models import Account

    caf = make_account(app, "caf")
    mairie = make_account(app, "mairie")
    store._FIRST.clear()
    with app.app_context():
        assert scoped_first(Account, "caf", id=caf).id == caf
        built = dict(store._FIRST)
        assert scoped_first(Account, "caf", id=mairie) is None      # another tenant's row
        assert scoped_first(Account, "mairie", id=mairie).id == mairie
        assert store._FIRST == built and len(built) == 1            # one statement for the three
        assert scoped_first(Account, "caf", id=caf, email=None) is None       # IS NULL, not "= NULL"
        assert scoped_first(Account, "caf", id=caf, phone_number=None).id == caf

