"""Settings and backends for the test suites (importable; conftest files are not)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("IDP_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("IDP_TEST_REDIS_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
# Below OWASP's floor for speed: accepted only with allow_insecure_parameters in development
FAST_ARGON2 = {"memory_cost": 64, "time_cost": 1, "parallelism": 1, "allow_insecure_parameters": True}


def write_config(tmp_path: Path, development: bool = True) -> Path:
    """``config.example.toml`` with fresh secrets: as `make run` writes it (development), or
    as shipped (production-safe)."""
    from idp.config.bootstrap import render

    path = tmp_path / "config.toml"
    path.write_text(render((ROOT / "config.example.toml").read_text(encoding="utf-8"), development),
                    encoding="utf-8")
    return path


def make_settings(tmp_path: Path, backend: str = "sqlite", **overrides):
    from idp.config.settings import load_settings

    url = POSTGRES_URL if backend == "postgresql" else f"sqlite:///{tmp_path}/idp.sqlite3"
    redis_url = REDIS_URL if backend == "postgresql" else ""
    merged = {
        "database": {"url": url},
        "redis": {"url": redis_url},
        "argon2": FAST_ARGON2,
        "server": {"public_url": "http://idp.test", "environment": "development"},
        "notify": {"outbox_dir": str(tmp_path / "outbox"), "dev_outbox_page": True,
                   "letters": {"batch_dir": str(tmp_path / "letters")}},
    }
    for key, value in overrides.items():
        merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
    return load_settings(write_config(tmp_path), environ={}, overrides=merged)


def reset_schema(app):
    from idp.store.db import db

    with app.app_context():
        db.drop_all()
        db.create_all()


def forget_counters(app) -> None:
    """Empty the app's shared counters (rate limits, replay memory), in Redis or in memory."""
    counters = app.extensions["idp_counters"]
    if hasattr(counters, "_redis"):
        for key in counters._redis.scan_iter("idp:*"):
            counters._redis.delete(key)
    else:
        counters._data.clear()
