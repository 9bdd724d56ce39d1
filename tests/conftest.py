"""Fixtures shared by the suites: settings, the app on each storage backend, helpers.

The storage-touching suites run on SQLite always, and on PostgreSQL (with Redis counters)
when ``IDP_TEST_POSTGRES_URL`` (and ``IDP_TEST_REDIS_URL``) are set, as .ci/run does.
"""

from __future__ import annotations

import shutil

import pytest

from support import BACKENDS, forget_counters, make_settings, reset_schema, write_config  # noqa: F401


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def base_app(backend, tmp_path_factory):
    from idp.app import create_app
    from idp.store.keystore import ensure_keys

    tmp = tmp_path_factory.mktemp(f"app-{backend}")
    settings = make_settings(tmp, backend)
    app = create_app({"TESTING": True, "IDP_BACKCHANNEL_RETRY_DELAYS": (0, 0)}, settings=settings)
    reset_schema(app)
    with app.app_context():
        for slug in app.extensions["idp_tenants"]:
            ensure_keys(slug)
    return app


@pytest.fixture
def app(base_app):
    """The session app with every table but the signing keys emptied before each test."""
    from idp.store.db import db
    from idp.store.keystore import forget_rings
    from idp.clients.model import forget_clients

    with base_app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            if table.name != "signing_keys":
                db.session.execute(table.delete())
        db.session.commit()
        forget_counters(base_app)
    forget_rings()
    forget_clients()
    for folder in (base_app.config["IDP_SETTINGS"].notify.outbox_dir,
                   base_app.config["IDP_SETTINGS"].notify.letters.batch_dir):
        shutil.rmtree(folder, ignore_errors=True)
    yield base_app


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
