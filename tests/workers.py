"""The provider as production serves it, for races that must cross processes: ``idp serve``
(gunicorn, two gthread workers) on the PostgreSQL database and Redis of the ``app``
fixture, with the same settings and secrets. The test's own app is then one more process
of the same deployment (as a third worker behind the load balancer would be): it prepares
what the threads race for (clients, accounts, a code, a signup) through its test client,
and the race itself is real HTTP to the two workers.

PostgreSQL only: two processes on one SQLite file is not a deployment anyone runs.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

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
    with serving_two_workers(base_app, tmp_path_factory.mktemp("two-workers")) as base:
        yield base


@contextlib.contextmanager
def serving_two_workers(app, tmp: Path, **environment):
    """``idp serve --workers 2`` with ``app``'s settings (``environment``: more ``IDP_*``)."""
    settings = app.config["IDP_SETTINGS"]
    if not settings.redis.url:
        pytest.skip("two workers need shared counters (IDP_TEST_REDIS_URL)")
    pytest.importorskip("gunicorn")
    port, log = _free_port(), tmp / "gunicorn.log"
    env = {**_environment(settings, write_config(tmp)), **environment}
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


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F))


def _on_the_wire(raw_uri: str) -> str:
    """The request target as a client puts it on the wire: bytes beyond printable ASCII
    percent-encoded (WSGI hands them over as latin-1 characters)."""
    return quote(raw_uri.encode("latin-1"), safe=PRINTABLE)


def http_proxy(base: str):
    """A WSGI app that sends each request it gets, as it got it (raw path and query, headers,
    body), to the server at ``base`` and answers what that server answered: with it as
    ``app.wsgi_app``, the Flask test client of ``app`` (and every helper written for it)
    drives the served workers over real HTTP."""
    host, port = base.removeprefix("http://").split(":")

    def proxy(environ, start_response):
        headers = {key[5:].replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-")] = environ[key]
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            connection.putrequest(environ["REQUEST_METHOD"], _on_the_wire(environ["RAW_URI"]), skip_host=True,
                                  skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value.encode("latin-1"))
            try:
                connection.endheaders(body)
            except (BrokenPipeError, ConnectionResetError):
                pass   # answered before the body was read (a 413, gunicorn's own 400): read it
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        start_response(f"{answer.status} {answer.reason}",
                       [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP])
        return [data]

    return proxy
