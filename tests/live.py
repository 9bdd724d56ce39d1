"""A live provider on a real HTTP server (loopback), with the demo installed: for the
end-to-end, browser and interop suites."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
from werkzeug.serving import make_server

from support import make_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(tmp_path):
    from idp.app import create_app
    from idp.store.db import db
    from idp.demo.setup import install_demo
    from idp.store.keystore import ensure_keys

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(settings=make_settings(tmp_path, "sqlite", server={"public_url": base}))
    with app.app_context():
        db.create_all()
        for slug in app.extensions["idp_tenants"]:
            ensure_keys(slug)
        demo = install_demo()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, demo, app
    server.shutdown()




@contextlib.contextmanager
def serving(app):
    """``app`` (e.g. the backend-parametrized ``app`` fixture) on a threaded loopback server,
    for tests that need real concurrent requests; yields its base URL."""
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()


@pytest.fixture
def served(app):
    """The ``app`` fixture (SQLite, and PostgreSQL with Redis when configured) on a real HTTP
    server, one thread per request: races are real threads against it, and the test client
    of the same app can prepare what they race for (a code, a session)."""
    with serving(app) as base:
        yield base


def at_once(count: int, send):
    """Call ``send(i)`` from ``count`` threads released together by a barrier; returns the
    results in order (an exception in a thread is raised here)."""
    start, results = threading.Barrier(count), [None] * count

    def run(i):
        start.wait()
        try:
            results[i] = send(i)
        except Exception as exc:  # noqa: BLE001  (re-raised below, in the test's thread)
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results
