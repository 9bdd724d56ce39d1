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
    from idp.db import db
    from idp.demo_setup import install_demo
    from idp.keystore import ensure_keys

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
