"""The one pending-state store (signup, FranceConnect journey): sealed, with a deadline,
in its tenant, of its kind, used once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g

from idp.store import pending
from idp.store.db import db, unscoped
from idp.store.models import Signup


@pytest.fixture
def caf(app):
    with app.test_request_context("/caf/signup"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        yield app


def _as(app, slug: str) -> None:
    g.tenant = app.extensions["idp_tenants"][slug]


def test_kept_sealed_and_found_by_its_handle_only(caf):
    kept, handle = pending.keep({"nir": "2910775123456"}, 600, step="franceconnect")
    db.session.expire_all()
    row = db.session.execute(unscoped(Signup, reason="the test reads the row as stored")).scalar_one()
    assert b"2910775123456" not in row.data_sealed and handle not in row.id   # the id is the handle's digest
    assert pending.find(handle).data == {"nir": "2910775123456"}
    assert pending.find(handle, step="franceconnect") is not None
    assert pending.find(handle, step="franceconnect_redirect") is None
    assert pending.find(handle[:-1] + ("A" if handle[-1] != "A" else "B")) is None
    assert pending.find("") is None and pending.find(None) is None


def test_refused_after_its_deadline(caf):
    kept, handle = pending.keep({}, 600)
    kept.row.expires_at -= timedelta(seconds=601)
    db.session.commit()
    assert pending.find(handle) is None


def test_refused_at_another_tenant(caf):
    _, handle = pending.keep({"answers": {}}, 600)
    _as(caf, "ameli")
    assert pending.find(handle) is None
    _as(caf, "caf")
    assert pending.find(handle) is not None


def test_saved_changes_are_read_back(caf):
    kept, handle = pending.keep({"_done": []}, 600)
    kept.data["_done"].append("identity")
    kept.save()
    db.session.expire_all()
    assert pending.find(handle, lock=True).data == {"_done": ["identity"]}


def test_used_once_and_a_second_discard_is_no_error(caf):
    _, handle = pending.keep({}, 600)
    twin = pending.find(handle)           # the twin request of a double click, with its own copy
    db.session.expunge(twin.row)
    pending.discard(pending.find(handle))
    assert pending.find(handle) is None
    db.session.add(twin.row)
    pending.discard(twin)
    assert db.session.execute(unscoped(Signup, reason="the test counts every row")).first() is None


def test_a_handle_of_one_kind_never_loads_as_another(caf):
    """A pushed request's request_uri (or a FranceConnect journey's handle) put in the signup
    cookie is no signup: the kind is sealed with the data, and each reader names its own."""
    _, handle = pending.keep({"client_id": "rp", "params": {}}, 60, step="par", kind="par")
    assert pending.find(handle) is None                          # the signup's reader
    assert pending.find(handle, step="par") is None              # a kind must be named to be read
    found = pending.find(handle, step="par", kind="par")
    assert found is not None and found.data == {"client_id": "rp", "params": {}} and found.kind == "par"
    found.data["seen"] = True
    found.save()                                                 # saved again, still of its kind
    db.session.expire_all()
    assert pending.find(handle) is None and pending.find(handle, kind="par").data["seen"] is True


def test_from_the_signup_cookie_only_signups_load(caf):
    from idp.federation import state as fc_state
    from idp.signup import state as signup_state

    handle = fc_state.park({"identity": {"sub": "x"}, "pivot": {}})
    with caf.test_request_context("/caf/signup", headers={"Cookie": f"{signup_state.COOKIE}={handle}"}):
        g.tenant = caf.extensions["idp_tenants"]["caf"]
        assert signup_state.load() is None
    with caf.test_request_context("/caf/franceconnect", headers={"Cookie": f"{fc_state.PARKED.cookie}={handle}"}):
        g.tenant = caf.extensions["idp_tenants"]["caf"]
        assert fc_state.load() is not None
