"""Fixtures shared by the suites: settings, the app on each storage backend, helpers.

The storage-touching suites run on SQLite always, and on PostgreSQL (with Redis counters)
when ``IDP_TEST_POSTGRES_URL`` (and ``IDP_TEST_REDIS_URL``) are set, as .ci/run does.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("IDP_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("IDP_TEST_REDIS_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
FAST_ARGON2 = {"memory_cost": 64, "time_cost": 1, "parallelism": 1}


def write_config(tmp_path: Path) -> Path:
    from idp.bootstrap import render

    path = tmp_path / "config.toml"
    path.write_text(render((ROOT / "config.example.toml").read_text(encoding="utf-8")), encoding="utf-8")
    return path


def make_settings(tmp_path: Path, backend: str = "sqlite", **overrides):
    from idp.settings import load_settings

    url = POSTGRES_URL if backend == "postgresql" else f"sqlite:///{tmp_path}/idp.sqlite3"
    redis_url = REDIS_URL if backend == "postgresql" else ""
    merged = {
        "database": {"url": url},
        "redis": {"url": redis_url},
        "argon2": FAST_ARGON2,
        "server": {"public_url": "http://idp.test", "outbox_dir": str(tmp_path / "outbox")},
    }
    for key, value in overrides.items():
        merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
    return load_settings(write_config(tmp_path), environ={}, overrides=merged)


def _reset_schema(app):
    from idp.db import db

    with app.app_context():
        db.drop_all()
        db.create_all()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def base_app(backend, tmp_path_factory):
    from idp.app import create_app
    from idp.keystore import ensure_keys

    tmp = tmp_path_factory.mktemp(f"app-{backend}")
    settings = make_settings(tmp, backend)
    app = create_app({"TESTING": True, "IDP_BACKCHANNEL_RETRY_DELAYS": (0, 0)}, settings=settings)
    _reset_schema(app)
    with app.app_context():
        for slug in app.extensions["idp_tenants"]:
            ensure_keys(slug)
    return app


@pytest.fixture
def app(base_app):
    """The session app with every table but the signing keys emptied before each test."""
    from idp.db import db
    from idp.keystore import forget_rings

    with base_app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            if table.name != "signing_keys":
                db.session.execute(table.delete())
        db.session.commit()
        counters = base_app.extensions["idp_counters"]
        if hasattr(counters, "_redis"):
            for key in counters._redis.scan_iter("idp:*"):
                counters._redis.delete(key)
        else:
            counters._data.clear()
    forget_rings()
    yield base_app


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
