"""Database handle and the one helper through which tenant-owned rows are read.

Every tenant-owned model carries a ``tenant`` column; :func:`scoped` is the only way the
application queries them, so a row of one tenant can never be read while serving another.
Secrets (codes, refresh tokens, session ids, interaction ids) are stored as SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from flask import g
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, select

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


def scoped(model, tenant: str | None = None, **filters):
    """A SELECT of ``model`` restricted to one tenant (the request's by default)."""
    stmt = select(model).where(model.tenant == (tenant or current_tenant()))
    for name, value in filters.items():
        stmt = stmt.where(getattr(model, name) == value)
    return stmt


def scoped_first(model, tenant: str | None = None, **filters):
    return db.session.execute(scoped(model, tenant, **filters).limit(1)).scalar_one_or_none()


def scoped_all(model, tenant: str | None = None, **filters):
    return list(db.session.execute(scoped(model, tenant, **filters)).scalars())


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
