"""The provider as production serves it, for races that must cross processes: ``idp serve``
(gunicorn, two gthread workers) on the PostgreSQL database and Redis of the ``app``
fixture, with the same settings and secrets. The test's own app is then one more process
of the same deployment (as a third worker behind the load balancer would be): it prepares
what the threads race for (clients, accounts, a code, a signup) through its test client,
and the race itself is real HTTP to the two workers.

PostgreSQL only: two processes on one SQLite file is not a deployment anyone runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from pydantic import BaseModel

from live import _free_port
from support import write_config

WORKERS = 2


def _environment(settings, config: Path) -> dict[str, str]:
    """``IDP_<SECTION>_<KEY>`` for every scalar setting of the test app (its secrets, database,
    Redis, Argon2 parameters...), over a configuration file with the same tenants."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDP_")}
    env["IDP_CONFIG"] = str(config)
    sections = {name: getattr(settings, name) for name in type(settings).model_fields}
    franceconnect = settings.providers.franceconnect
    if franceconnect is not None:
        sections["providers_franceconnect"] = franceconnect
    for section, value in sections.items():
        if not isinstance(value, BaseModel):
            continue
        for key, item in value.model_dump().items():
            if isinstance(item, (str, int, float, bool)):
                env[f"IDP_{section}_{key}".upper()] = json.dumps(item)   # a TOML scalar, strings quoted
    return env


def _wait_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"idp serve stopped ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:   # not listening yet, or a worker still booting
            pass
        time.sleep(0.3)
    raise RuntimeError(f"idp serve did not answer /healthz:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def two_workers(base_app, backend, tmp_path_factory):
    """Base URL of ``idp serve --workers 2`` sharing the ``app`` fixture's database and Redis
    (started once per session; the ``app`` fixture empties the tables before each test)."""
    if backend != "postgresql":
        pytest.skip("two gunicorn workers share PostgreSQL and Redis (IDP_TEST_POSTGRES_URL)")
    settings = base_app.config["IDP_SETTINGS"]
    if not settings.redis.url:
        pytest.skip("two workers need shared counters (IDP_TEST_REDIS_URL)")
    pytest.importorskip("gunicorn")
    tmp = tmp_path_factory.mktemp("two-workers")
    port, log = _free_port(), tmp / "gunicorn.log"
    env = _environment(settings, write_config(tmp))
    idp = str(Path(sys.executable).with_name("idp"))
    command = [idp, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS), "--no-access-log"]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=tmp, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    failures = [line for line in log.read_text().splitlines() if "Traceback" in line or "server_error" in line]
    assert not failures, f"the workers logged failures (see {log}):\n{log.read_text()[-3000:]}"
