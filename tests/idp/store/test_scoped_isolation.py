"""Every store operation on every tenant-owned model stays in its tenant (as Hydra's
contract suite runs each query with two networks).

For each model, one row in each of two tenants, alike in everything but the tenant (same
client_id, sid, family, subject...): each scoped operation of one tenant (read, first, get,
update, delete), by the request's tenant or one passed explicitly, never sees nor touches
the other's row, which only an explicit ``unscoped`` statement reaches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from flask import g
from sqlalchemy import inspect

from idp.store import models as m
from idp.store.db import (db, scoped, scoped_all, scoped_delete, scoped_first, scoped_get, scoped_update, unscoped,
                          unscoped_delete, unscoped_update)

MINE, THEIRS = "caf", "ameli"
LATER = datetime(2099, 1, 1)


@dataclass
class Spec:
    model: type
    make: object                                  # (tenant, owner account id) -> column values
    shared: dict = field(default_factory=dict)    # the same in both tenants: filtered on
    change: dict = field(default_factory=dict)    # what the update writes


def _per(tenant: str, what: str) -> str:
    return f"{tenant}-{what}"


SPECS = {spec.model.__name__: spec for spec in (
    Spec(m.Client, lambda t, a: dict(client_id="shared", name="Service", auth_method="client_secret_basic",
                                     scope="openid"), {"client_id": "shared"}, {"name": "Changed"}),
    Spec(m.Account, lambda t, a: dict(id=_per(t, "account"), identifier_index="same-index", identifier_sealed=b"x"),
         {"identifier_index": "same-index"}, {"status": "disabled"}),
    # the tenants' real keys stay: every operation names the test's key
    Spec(m.SigningKey, lambda t, a: dict(kid="isolation", alg="ES256", state="next", public_jwk={}, sealed_private=b"x"),
         {"kid": "isolation"}, {"state": "retired"}),
    Spec(m.Interaction, lambda t, a: dict(id=_per(t, "interaction"), params={}, client_id="shared", expires_at=LATER),
         {"client_id": "shared"}, {"prompt_done": ["login"]}),
    Spec(m.SsoSession, lambda t, a: dict(id=_per(t, "session"), sid="shared-sid", account_id=a, auth_time=0, acr="eidas1",
                                         expires_at=LATER), {"sid": "shared-sid"}, {"acr": "changed"}),
    Spec(m.AuthorizationCode, lambda t, a: dict(code_hash=_per(t, "code"), client_id="shared", account_id=a,
                                                redirect_uri="https://rp.example/cb", scope="openid", auth_time=0,
                                                sid="shared-sid", expires_at=LATER),
         {"client_id": "shared", "sid": "shared-sid"}, {"used_at": LATER}),
    Spec(m.RefreshToken, lambda t, a: dict(token_hash=_per(t, "refresh"), family_id="shared-family", client_id="shared",
                                           account_id=a, scope="openid", auth_time=0, sid="shared-sid",
                                           expires_at=LATER), {"family_id": "shared-family"}, {"revoked_at": LATER}),
    Spec(m.IssuedAccessToken, lambda t, a: dict(jti=_per(t, "jti"), family_id="shared-family", client_id="shared",
                                                sid="shared-sid", expires_at=LATER),
         {"family_id": "shared-family"}, {"client_id": "changed"}),
    Spec(m.Consent, lambda t, a: dict(account_id=a, client_id="shared", scopes=["openid"]),
         {"client_id": "shared"}, {"scopes": ["openid", "email"]}),
    Spec(m.UsedAssertion, lambda t, a: dict(key=_per(t, "assertion"), expires_at=LATER),
         {}, {"expires_at": LATER + timedelta(days=1)}),
    Spec(m.Verification, lambda t, a: dict(id=_per(t, "verification"), purpose="activation", subject="shared-subject",
                                           channel="email", destination="x@example.fr", secret_hash="h",
                                           expires_at=LATER), {"subject": "shared-subject"}, {"attempts": 3}),
    Spec(m.Signup, lambda t, a: dict(id=_per(t, "signup"), step="isolation", data_sealed=b"x", expires_at=LATER),
         {"step": "isolation"}, {"account_id": "changed"}),
    Spec(m.SupportingDocument, lambda t, a: dict(account_id=a, filename="piece.pdf", content_type="application/pdf",
                                                 sealed=b"x"), {"filename": "piece.pdf"}, {"content_type": "image/png"}),
    Spec(m.FederatedIdentity, lambda t, a: dict(provider="franceconnect", subject="shared-sub", account_id=a),
         {"subject": "shared-sub"}, {"last_login_at": LATER}),
    Spec(m.BackchannelDelivery, lambda t, a: dict(client_id="shared", sub="shared-sub", sid="shared-sid"),
         {"sid": "shared-sid"}, {"attempts": 5}),
    Spec(m.PairwiseSubject, lambda t, a: dict(sub=_per(t, "pairwise"), account_id=a, created_at=LATER),
         {"created_at": LATER}, {"account_id": "changed"}),
    Spec(m.PasskeyCredential, lambda t, a: dict(account_id=a, credential_id="shared-credential", public_key=b"k",
                                                name="Clé"), {"credential_id": "shared-credential"}, {"sign_count": 7}),
    Spec(m.MfaFactor, lambda t, a: dict(id=_per(t, "factor"), account_id=a, kind="totp", label="shared-label",
                                        secret_sealed=b"x"), {"label": "shared-label"}, {"last_step": 7}),
    Spec(m.RecoveryCode, lambda t, a: dict(account_id=a, code_hash="shared-hash"),
         {"code_hash": "shared-hash"}, {"used_at": LATER}),
)}


def _key(row):
    return inspect(row).identity[0]


def _pk_name(model) -> str:
    return model.__mapper__.primary_key[0].key


def _rows(app, spec: Spec) -> dict:
    """One row of ``spec`` in each tenant (with an account owning it), committed; their keys."""
    keys = {}
    for tenant in (MINE, THEIRS):
        owner = m.Account(tenant=tenant, id=_per(tenant, "owner"), identifier_index="owner", identifier_sealed=b"x")
        db.session.add(owner)
        db.session.flush()
        row = spec.model(tenant=tenant, **spec.make(tenant, owner.id))
        db.session.add(row)
        db.session.flush()
        keys[tenant] = _key(row)
    db.session.commit()
    db.session.expire_all()
    return keys


def _everywhere(spec: Spec) -> dict:
    """Each tenant's row as it is in the database, read across tenants."""
    db.session.expire_all()
    every = unscoped(spec.model, reason="the test looks at both tenants")
    return {row.tenant: row for row in db.session.execute(every.filter_by(**spec.shared)).scalars()}


def test_every_tenant_owned_model_has_a_spec():
    owned = {mapper.class_.__name__ for mapper in db.Model.registry.mappers
             if issubclass(mapper.class_, m.TenantOwned)}
    assert owned == set(SPECS)


@pytest.fixture
def in_tenant(app):
    with app.app_context():
        g.tenant = app.extensions["idp_tenants"][MINE]
        yield app
        db.session.rollback()
        for spec in SPECS.values():   # the signing keys outlive the test's table emptying
            if spec.model is m.SigningKey:
                db.session.execute(unscoped_delete(m.SigningKey, reason="test cleanup").filter_by(**spec.shared))
        db.session.commit()


@pytest.mark.parametrize("name", sorted(SPECS))
def test_reads_see_only_their_tenant(in_tenant, name):
    spec = SPECS[name]
    keys = _rows(in_tenant, spec)
    pk = _pk_name(spec.model)
    assert [_key(row) for row in scoped_all(spec.model, **spec.shared)] == [keys[MINE]]
    assert [_key(row) for row in scoped_all(spec.model, THEIRS, **spec.shared)] == [keys[THEIRS]]
    assert _key(scoped_first(spec.model, **spec.shared)) == keys[MINE]
    assert scoped_first(spec.model, **{pk: keys[THEIRS]}) is None
    found = db.session.execute(scoped(spec.model, **spec.shared).with_only_columns(getattr(spec.model, pk)))
    assert found.scalars().all() == [keys[MINE]]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_get_by_key_refuses_another_tenants_row(in_tenant, name):
    spec = SPECS[name]
    keys = _rows(in_tenant, spec)
    assert scoped_get(spec.model, keys[THEIRS]) is None
    assert _key(scoped_get(spec.model, keys[MINE])) == keys[MINE]
    assert scoped_get(spec.model, keys[MINE], THEIRS) is None
    assert _key(scoped_get(spec.model, keys[THEIRS], THEIRS)) == keys[THEIRS]
    assert scoped_get(spec.model, None) is None


@pytest.mark.parametrize("name", sorted(SPECS))
def test_updates_touch_only_their_tenant(in_tenant, name):
    spec = SPECS[name]
    keys = _rows(in_tenant, spec)
    pk = _pk_name(spec.model)
    before = {column: getattr(_everywhere(spec)[THEIRS], column) for column in spec.change}
    assert db.session.execute(scoped_update(spec.model, **{pk: keys[THEIRS]}).values(**spec.change)).rowcount == 0
    assert db.session.execute(scoped_update(spec.model, **spec.shared).values(**spec.change)).rowcount == 1
    db.session.commit()
    rows = _everywhere(spec)
    assert {column: getattr(rows[MINE], column) for column in spec.change} == spec.change
    assert {column: getattr(rows[THEIRS], column) for column in spec.change} == before


@pytest.mark.parametrize("name", sorted(SPECS))
def test_deletes_touch_only_their_tenant(in_tenant, name):
    spec = SPECS[name]
    keys = _rows(in_tenant, spec)
    pk = _pk_name(spec.model)
    assert db.session.execute(scoped_delete(spec.model, **{pk: keys[THEIRS]})).rowcount == 0
    assert db.session.execute(scoped_delete(spec.model, **spec.shared)).rowcount == 1
    db.session.commit()
    assert set(_everywhere(spec)) == {THEIRS}
    assert db.session.execute(scoped_delete(spec.model, THEIRS, **spec.shared)).rowcount == 1
    db.session.commit()
    assert _everywhere(spec) == {}


def test_without_a_tenant_nothing_is_read(app):
    """Outside a request (CLI, background work) a scoped statement needs its tenant named:
    it never falls back to every tenant."""
    with app.app_context():
        for operation in (scoped, scoped_update, scoped_delete, scoped_all, scoped_first):
            with pytest.raises(AttributeError):
                operation(m.Account)
        with pytest.raises(AttributeError):
            scoped_get(m.Account, "some-id")


@pytest.mark.parametrize("crossing", [unscoped, unscoped_update, unscoped_delete])
def test_crossing_tenants_says_why(app, crossing):
    with pytest.raises(ValueError):
        crossing(m.Account, reason=" ")
    with pytest.raises(TypeError):
        crossing(m.Account)
