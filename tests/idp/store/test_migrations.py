"""Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from support import POSTGRES_URL, make_settings


def _fresh_url(backend, tmp_path):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/migrated.sqlite3"
    url = make_url(POSTGRES_URL)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS idp_migrations_test"))
        conn.execute(text("CREATE DATABASE idp_migrations_test"))
    admin.dispose()
    return url.set(database="idp_migrations_test").render_as_string(hide_password=False)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES_URL, reason="IDP_TEST_POSTGRES_URL not set"))])
def test_migrations_match_models(backend, tmp_path):
    from flask_migrate import downgrade, upgrade

    from idp.app import MIGRATIONS, create_app
    from idp.store.db import db

    url = _fresh_url(backend, tmp_path)
    app = create_app(settings=make_settings(tmp_path, "sqlite", database={"url": url}))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []
        downgrade(directory=MIGRATIONS, revision="base")
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
