"""Database handle and the one way tenant-owned rows are read, changed and deleted.

Every tenant-owned model carries a ``tenant`` column. Outside ``idp/store/`` the application
reaches those rows only through the scoped statements below (as Hydra's
``QueryWithNetwork``): :func:`scoped` (a SELECT), :func:`scoped_get` (by primary key),
:func:`scoped_update` and :func:`scoped_delete`, each restricted to the request's tenant
(``g.tenant``) or to the one passed explicitly by CLI and background work. A statement that
crosses tenants (purge, the CLI's listing of every tenant's clients) says so, with a reason:
:func:`unscoped`, :func:`unscoped_update`, :func:`unscoped_delete`. A test
(tests/idp/store/test_scoped_access.py) fails on a raw ``.tenant ==`` filter, a
``db.session.get`` or a bare ``select``/``update``/``delete`` of a tenant-owned model
elsewhere.

Secrets (codes, refresh tokens, session ids, interaction ids) are stored as SHA-256 digests.

**One transaction per request** (the unit of work, as in Hydra's one transaction per
endpoint). Services write and ``flush`` (when they need an id) but never commit; the view,
or the CLI command, that called them commits once with :func:`commit_request`, after its
last write and before its answer. What must wait for that commit (back-channel logouts to
send, a message to the person) is registered by the service with :func:`after_commit` and
runs once the commit succeeded: a request that dies half-way writes nothing and tells no
one. The exceptions commit on their own and say why where they do: a counter that must
stand even if the request then fails (a verification code's try, its send), and work
outside a request (background threads, ``idp purge``, key rotation).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from flask import g
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, bindparam, delete, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from idp.store.errors import withhold_values

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret: enough for random tokens, never for passwords."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def current_tenant() -> str:
    return g.tenant.slug


def _restricted(statement, model, tenant: str | None, filters: dict):
    statement = statement.where(model.tenant == (tenant or current_tenant()))
    for name, value in filters.items():
        statement = statement.where(getattr(model, name) == value)
    return statement


def scoped(model, tenant: str | None = None, **filters):
    """A SELECT of ``model`` restricted to one tenant (the request's by default); chain
    ``.where()`` for other criteria, ``.with_only_columns()`` for some columns only."""
    return _restricted(select(model), model, tenant, filters)


def scoped_first(model, tenant: str | None = None, **filters):
    """The first row of ``model`` matching ``filters`` in the tenant, or None. Equality on
    plain values (a digest, an id) goes through one statement per model and filter names,
    built once with bound parameters: building and keying a new SELECT was a third of each
    read's CPU, and a journey reads this way eight times (issue 15). ``None`` (``IS NULL``)
    and anything else get a statement of their own, as :func:`scoped` builds it."""
    if not all(isinstance(value, (str, int)) for value in filters.values()):
        return db.session.execute(scoped(model, tenant, **filters).limit(1)).scalar_one_or_none()
    key = (model, tuple(filters))
    statement = _FIRST.get(key)
    if statement is None:
        statement = select(model).where(model.tenant == bindparam("scope_tenant"))
        for name in filters:
            statement = statement.where(getattr(model, name) == bindparam(f"scope_{name}"))
        statement = _FIRST[key] = statement.limit(1)
    values = {f"scope_{name}": value for name, value in filters.items()}
    return db.session.execute(statement, {"scope_tenant": tenant or current_tenant(), **values}).scalar_one_or_none()


_FIRST: dict = {}   # (model, filter names) -> the statement of scoped_first


def scoped_all(model, tenant: str | None = None, **filters):
    return list(db.session.execute(scoped(model, tenant, **filters)).scalars())


def scoped_get(model, key, tenant: str | None = None):
    """The row of primary key ``key`` if it belongs to the tenant, else None. Through the
    session's identity map, as ``db.session.get``: a row read earlier in the request costs
    no SELECT."""
    tenant = tenant or current_tenant()
    row = db.session.get(model, key) if key is not None else None
    return row if row is not None and row.tenant == tenant else None


def scoped_update(model, tenant: str | None = None, **filters):
    """An UPDATE of ``model`` restricted to one tenant; the caller adds ``.values()``."""
    return _restricted(update(model), model, tenant, filters)


def scoped_delete(model, tenant: str | None = None, **filters):
    """A DELETE of ``model`` restricted to one tenant."""
    return _restricted(delete(model), model, tenant, filters)


def _crossing(reason: str) -> None:
    if not reason or not reason.strip():
        raise ValueError("a statement across tenants says why (reason=...)")


def unscoped(model, *, reason: str):
    """A SELECT of ``model`` across every tenant: for the few operations that are so by
    nature (purge, the CLI's listings); ``reason`` says which, for the reader."""
    _crossing(reason)
    return select(model)


def unscoped_update(model, *, reason: str):
    _crossing(reason)
    return update(model)


def unscoped_delete(model, *, reason: str):
    _crossing(reason)
    return delete(model)


def insert_missing(model, keys: tuple[str, ...], **values):
    """``INSERT ... ON CONFLICT (keys) DO NOTHING`` (SQLite and PostgreSQL): a row that two
    requests create at the same instant is created once, and the other request goes on
    instead of failing on the unique constraint (check-then-insert cannot do that)."""
    return db.session.execute(_insert_or_nothing(model, keys, values))


def inserted_once(model, keys: tuple[str, ...], **values) -> bool:
    """:func:`insert_missing`, saying whether this call made the row (``RETURNING``: the
    rowcount of ``ON CONFLICT DO NOTHING`` is -1 with psycopg). Of requests inserting the
    same keys at the same instant, exactly one gets True."""
    statement = _insert_or_nothing(model, keys, values).returning(*model.__mapper__.primary_key)
    return db.session.execute(statement).first() is not None


def _insert_or_nothing(model, keys: tuple[str, ...], values: dict):
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=list(keys))


def after_commit(job, *args) -> None:
    """Run ``job(*args)`` once the request's transaction has committed (:func:`commit_request`)."""
    waiting = g.setdefault("after_commit", [])
    if (job, args) not in waiting:   # asked by each of several changes (sessions ended): once
        waiting.append((job, args))


def commit_request() -> None:
    """The request's one commit, then what waited for it (:func:`after_commit`), in order.
    A request that wrote nothing (a client_credentials token, a refused form) does not commit."""
    session = db.session() if db.session.registry.has() else None   # none made: nothing read or written
    if session is not None and (session.info.get(WROTE) or session.new or session.dirty or session.deleted):
        session.commit()
    for job, args in g.pop("after_commit", []):
        job(*args)


WROTE = "idp_wrote"   # Session.info key: this transaction has written (flushed, or an UPDATE/DELETE/INSERT)


# every engine of the process (the application's, Alembic's): a failed statement's text quotes
# no value of the row at fault (idp/store/errors.py)
event.listen(Engine, "handle_error", withhold_values)


@event.listens_for(Session, "do_orm_execute")
def _statement_written(state) -> None:
    if not state.is_select:
        state.session.info[WROTE] = True


@event.listens_for(Session, "after_flush")
def _flushed(session, context) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session) -> None:
    session.info.pop(WROTE, None)
