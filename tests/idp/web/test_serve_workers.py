"""Several workers need shared counters: without [redis] url production refuses to serve
more than one, development serves one and says so (``idp serve``, gunicorn's hook, wsgi).
``idp serve`` runs Granian (or gunicorn), one worker per core by default (idp/web/serving.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from support import write_config

from idp.config.settings import SettingsError, load_settings

REFUSED = "redis.url is empty: in-memory counters with 2 workers would let each worker count login failures"
GUNICORN = [sys.executable, "-m", "gunicorn"]
GRANIAN = [sys.executable, "-m", "granian", "--interface", "wsgi"]


def _config(tmp_path, environment: str, redis: str = "") -> dict:
    """The environment of a process reading the shipped example (production) or make run's."""
    path = write_config(tmp_path, development=environment == "development")
    return {"IDP_CONFIG": str(path), "IDP_DATABASE_URL": f"sqlite:///{tmp_path}/idp.sqlite3", "IDP_REDIS_URL": redis,
            "IDP_SERVER_ENVIRONMENT": environment}


def _settings(tmp_path, environment: str, redis: str = ""):
    return load_settings(environ=_config(tmp_path, environment, redis))


def test_workers_to_serve(tmp_path, caplog):
    from idp.config.production import workers_to_serve

    prod = _settings(tmp_path, "production")
    assert workers_to_serve(prod, 1) == 1
    with pytest.raises(SettingsError, match=REFUSED):
        workers_to_serve(prod, 2)
    assert workers_to_serve(_settings(tmp_path, "production", "redis://cache.internal:6379/0"), 4) == 4
    assert workers_to_serve(_settings(tmp_path, "development"), 3) == 1
    assert "DEVELOPMENT: 3 workers asked but no [redis] url: serving ONE worker" in caplog.text


def _serve(tmp_path, monkeypatch, environment: str, *args, redis: str = ""):
    """``idp serve`` through the CLI, the server's exec captured instead of run."""
    from idp.app import create_app

    for name, value in _config(tmp_path, environment, redis).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("IDP_SERVED_WORKERS", raising=False)
    monkeypatch.delenv("IDP_ACCESS_LOG", raising=False)
    executed = []

    def execv(path, argv):   # exec never returns
        executed.append(argv)
        raise SystemExit(0)

    monkeypatch.setattr(os, "execv", execv)
    result = create_app().test_cli_runner().invoke(args=["serve", *args])
    return result, executed


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_serve_in_development_without_redis_serves_one_worker_loudly(tmp_path, monkeypatch):
    result, executed = _serve(tmp_path, monkeypatch, "development", "--workers", "3")
    assert "WARNING: DEVELOPMENT, NO [redis] url: serving 1 worker instead of 3" in result.output
    argv = executed[0]
    assert argv[1:3] == ["-m", "granian"] and _option(argv, "--workers") == "1"
    assert _option(argv, "--interface") == "wsgi" and argv[-1] == "idp.wsgi:app"
    assert os.environ["IDP_SERVED_WORKERS"] == "1"


def test_serve_with_gunicorn_keeps_its_hook(tmp_path, monkeypatch):
    result, executed = _serve(tmp_path, monkeypatch, "development", "--workers", "3", "--server", "gunicorn")
    argv = executed[0]
    assert _option(argv, "--workers") == "1" and _option(argv, "--config") == "python:idp.gunicorn_conf"
    assert _option(argv, "--worker-class") == "gthread" and _option(argv, "--logger-class") == "idp.web.logredact.GunicornLogger"


def test_workers_default_to_the_cores(tmp_path, monkeypatch):
    from idp.web import serving

    monkeypatch.setattr(serving, "default_workers", lambda: 3)
    result, executed = _serve(tmp_path, monkeypatch, "production", redis="redis://cache.internal:6379/0")
    assert result.exit_code == 0, result.output
    argv = executed[0]
    assert _option(argv, "--workers") == "3" and _option(argv, "--blocking-threads") == "1"
    assert "--respawn-failed-workers" in argv and "--no-access-log" in argv   # idp.web.access_log writes it
    assert os.environ["IDP_ACCESS_LOG"] == "1"


def test_serve_in_production_without_redis_refuses_two_workers(tmp_path, monkeypatch):
    from idp.web import serving

    monkeypatch.setattr(serving, "default_workers", lambda: 2)   # the default: one worker per core
    result, executed = _serve(tmp_path, monkeypatch, "production")
    assert result.exit_code == 2 and REFUSED in result.output and executed == []


def test_gunicorn_hook(tmp_path, monkeypatch):
    from idp import gunicorn_conf
    from idp.config.production import GUNICORN_WORKERS

    monkeypatch.setenv(GUNICORN_WORKERS, "")   # so that monkeypatch restores its absence
    monkeypatch.delenv(GUNICORN_WORKERS)
    for name, value in _config(tmp_path, "production").items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=REFUSED):
        gunicorn_conf.on_starting(SimpleNamespace(num_workers=2))
    monkeypatch.setenv("IDP_SERVER_ENVIRONMENT", "development")
    server = SimpleNamespace(num_workers=4)
    gunicorn_conf.on_starting(server)
    assert server.num_workers == 1 and os.environ[GUNICORN_WORKERS] == "1"


def test_wsgi_under_gunicorn_without_the_hook_is_refused_in_production(tmp_path, monkeypatch):
    pytest.importorskip("gunicorn")
    from idp.config.production import GUNICORN_WORKERS, SERVED_WORKERS, check_gunicorn_hook

    monkeypatch.delitem(sys.modules, "granian", raising=False)
    monkeypatch.delenv(GUNICORN_WORKERS, raising=False)
    monkeypatch.delenv(SERVED_WORKERS, raising=False)
    with pytest.raises(SettingsError, match=r"gunicorn runs without the worker check: start it with `idp serve`"):
        check_gunicorn_hook(_settings(tmp_path, "production"))
    check_gunicorn_hook(_settings(tmp_path, "production", "redis://cache.internal:6379/0"))
    monkeypatch.setenv(GUNICORN_WORKERS, "1")
    check_gunicorn_hook(_settings(tmp_path, "production"))


def test_wsgi_under_granian_without_idp_serve_is_refused_in_production(tmp_path, monkeypatch):
    pytest.importorskip("granian")
    from idp.config.production import SERVED_WORKERS, check_gunicorn_hook

    monkeypatch.delenv(SERVED_WORKERS, raising=False)
    with pytest.raises(SettingsError, match=r"granian runs without the worker check: start it with `idp serve`"):
        check_gunicorn_hook(_settings(tmp_path, "production"))
    check_gunicorn_hook(_settings(tmp_path, "production", "redis://cache.internal:6379/0"))
    monkeypatch.setenv(SERVED_WORKERS, "1")   # idp serve checked the count
    check_gunicorn_hook(_settings(tmp_path, "production"))


def test_real_gunicorn_in_production_without_redis(tmp_path):
    """With the hook: stops before any worker; without it, the workers refuse to boot."""
    pytest.importorskip("gunicorn")
    from live import _free_port

    from idp.config.production import GUNICORN_WORKERS

    env = {**os.environ, **_config(tmp_path, "production")}
    env.pop(GUNICORN_WORKERS, None)
    env.pop("IDP_SERVED_WORKERS", None)
    bind = ["--bind", f"127.0.0.1:{_free_port()}", "--workers", "2"]
    hooked = subprocess.run([*GUNICORN, "-c", "python:idp.gunicorn_conf", *bind, "idp.wsgi:app"], env=env,
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert hooked.returncode == 1 and REFUSED in hooked.stderr
    bare = subprocess.run([*GUNICORN, *bind, "idp.wsgi:app"], env=env, capture_output=True, text=True,
                          cwd=Path(tmp_path), timeout=60)
    assert bare.returncode != 0 and "gunicorn runs without the worker check" in bare.stderr


def test_real_granian_in_production_without_redis_is_refused(tmp_path):
    """A bare ``granian`` command: its workers refuse to boot and Granian stops."""
    pytest.importorskip("granian")
    from live import _free_port

    env = {**os.environ, **_config(tmp_path, "production")}
    env.pop("IDP_SERVED_WORKERS", None)
    bare = subprocess.run([*GRANIAN, "--port", str(_free_port()), "--workers", "2", "idp.wsgi:app"], env=env,
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert bare.returncode != 0
    assert "granian runs without the worker check: start it with `idp serve`" in bare.stdout + bare.stderr


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_serve_in_production_without_the_server_is_refused(tmp_path, monkeypatch, server):
    from idp.web import serving

    import werkzeug.serving

    served = []
    monkeypatch.setattr(serving, "available", lambda name: False)
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda *args, **kwargs: served.append(args))
    result, _ = _serve(tmp_path, monkeypatch, "production", "--workers", "1", "--server", server)
    assert result.exit_code == 2
    assert f"{server} is not installed and Werkzeug is a development server: pip install '.[production]'" in result.output
    assert served == []


def test_idp_serve_runs_granian_with_a_redacted_access_log(tmp_path):
    """The whole chain: ``idp serve`` execs Granian, whose workers load ``idp.wsgi`` (it
    filters Granian's access logger): no query string nor link token in the log."""
    import signal
    import time

    import requests

    from live import _free_port

    env = {**os.environ, **_config(tmp_path, "development")}
    env.pop("IDP_SERVED_WORKERS", None)
    idp = [sys.executable, "-c", "from idp.cli.main import main; main()"]
    subprocess.run([*idp, "init"], env=env, cwd=tmp_path, check=True, capture_output=True, timeout=60)
    port = _free_port()
    server = subprocess.Popen([*idp, "serve", "--port", str(port), "--workers", "1"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, "idp serve did not answer"
                time.sleep(0.1)
        requests.get(f"http://127.0.0.1:{port}/mairie/signup/activate/7/SECRETTOKEN?code=SECRETCODE", timeout=5)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "Starting granian" in output
    assert '"GET /mairie/signup/activate/7/[…]?[…] HTTP/1.1" 400 ' in output   # idp.web.access_log
    assert "SECRETTOKEN" not in output and "SECRETCODE" not in output
