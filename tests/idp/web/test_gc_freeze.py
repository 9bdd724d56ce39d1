"""The served worker freezes the application's objects once it is built (issue 15): the
garbage collector's full passes no longer walk them (idp/wsgi.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from support import ROOT, write_config

# what Granian's worker imports, with one more route that says what the collector holds
PROBE = '''
import gc
from idp.wsgi import app as idp_app

def app(environ, start_response):
    if environ.get("PATH_INFO") == "/gc-probe":
        body = f"{gc.get_freeze_count()} {len(gc.get_objects())}".encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    return idp_app(environ, start_response)
'''


def _environ(tmp_path) -> dict:
    config = write_config(tmp_path, development=True)
    return {**os.environ, "IDP_CONFIG": str(config), "IDP_DATABASE_URL": f"sqlite:///{tmp_path}/idp.sqlite3",
            "IDP_REDIS_URL": "", "IDP_SERVER_ENVIRONMENT": "development", "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}


def test_importing_the_wsgi_module_freezes_the_app(tmp_path):
    env = _environ(tmp_path)
    probe = subprocess.run([sys.executable, "-c", "import gc, idp.wsgi; print(gc.get_freeze_count())"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    assert int(probe.stdout.split()[-1]) > 100_000   # the app's objects, not a handful


def test_the_served_worker_froze_the_app_and_still_collects(tmp_path):
    """Granian's worker (as ``idp serve`` starts it): most objects are frozen, the worker
    answers tokens, and what requests leave behind is not frozen with them."""
    pytest.importorskip("granian")
    import requests

    from live import _free_port

    env = _environ(tmp_path)
    (tmp_path / "gc_probe.py").write_text(PROBE, encoding="utf-8")
    idp = [sys.executable, "-c", "from idp.cli.main import main; main()"]
    subprocess.run([*idp, "init"], env=env, cwd=tmp_path, check=True, capture_output=True, timeout=60)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "granian", "--interface", "wsgi", "--port", str(port),
                               "--workers", "1", "--blocking-threads", "1", "--no-ws", "--no-access-log",
                               "gc_probe:app"], env={**env, "IDP_SERVED_WORKERS": "1"}, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                first = requests.get(f"http://127.0.0.1:{port}/gc-probe", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, "granian did not answer"
                time.sleep(0.1)
        frozen, tracked = map(int, first.text.split())
        assert frozen > 100_000 and frozen > 5 * tracked
        for _ in range(50):
            assert requests.get(f"http://127.0.0.1:{port}/caf/.well-known/openid-configuration",
                                timeout=5).status_code == 200
            requests.post(f"http://127.0.0.1:{port}/caf/token", data={"grant_type": "client_credentials"},
                          timeout=5)
        later, _ = map(int, requests.get(f"http://127.0.0.1:{port}/gc-probe", timeout=2).text.split())
        # frozen once, at start (a frozen object that is freed leaves the count): the requests'
        # objects were not frozen with them
        assert 0.9 * frozen < later <= frozen
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
