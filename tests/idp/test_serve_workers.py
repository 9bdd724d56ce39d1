"""Several workers need shared counters: without [redis] url production refuses to serve
more than one, development serves one and says so (``idp serve``, gunicorn's hook, wsgi)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from support import write_config

from idp.settings import SettingsError, load_settings

REFUSED = "redis.url is empty: in-memory counters with 2 workers would let each worker count login failures"
GUNICORN = [sys.executable, "-m", "gunicorn"]


def _config(tmp_path, environment: str, redis: str = "") -> dict:
    """The environment of a process reading the shipped example (production) or make run's."""
    path = write_config(tmp_path, development=environment == "development")
    return {"IDP_CONFIG": str(path), "IDP_DATABASE_URL": f"sqlite:///{tmp_path}/idp.sqlite3", "IDP_REDIS_URL": redis,
            "IDP_SERVER_ENVIRONMENT": environment}


def _settings(tmp_path, environment: str, redis: str = ""):
    return load_settings(environ=_config(tmp_path, environment, redis))


def test_workers_to_serve(tmp_path, caplog):
    from idp.production import workers_to_serve

    prod = _settings(tmp_path, "production")
    assert workers_to_serve(prod, 1) == 1
    with pytest.raises(SettingsError, match=REFUSED):
        workers_to_serve(prod, 2)
    assert workers_to_serve(_settings(tmp_path, "production", "redis://cache.internal:6379/0"), 4) == 4
    assert workers_to_serve(_settings(tmp_path, "development"), 3) == 1
    assert "DEVELOPMENT: 3 workers asked but no [redis] url: serving ONE worker" in caplog.text


def _serve(tmp_path, monkeypatch, environment: str, *args):
    """``idp serve`` through the CLI, gunicorn's exec captured instead of run."""
    from idp.app import create_app

    for name, value in _config(tmp_path, environment).items():
        monkeypatch.setenv(name, value)
    executed = []

    def execv(path, argv):   # exec never returns
        executed.append(argv)
        raise SystemExit(0)

    monkeypatch.setattr(os, "execv", execv)
    result = create_app().test_cli_runner().invoke(args=["serve", *args])
    return result, executed


def test_serve_in_development_without_redis_serves_one_worker_loudly(tmp_path, monkeypatch):
    result, executed = _serve(tmp_path, monkeypatch, "development", "--workers", "3")
    assert "WARNING: DEVELOPMENT, NO [redis] url: serving 1 worker instead of 3" in result.output
    argv = executed[0]
    assert argv[argv.index("--workers") + 1] == "1"
    assert argv[argv.index("--config") + 1] == "python:idp.gunicorn_conf"


def test_serve_in_production_without_redis_refuses_two_workers(tmp_path, monkeypatch):
    result, executed = _serve(tmp_path, monkeypatch, "production")   # the default is 2 workers
    assert result.exit_code == 2 and REFUSED in result.output and executed == []


def test_gunicorn_hook(tmp_path, monkeypatch):
    from idp import gunicorn_conf
    from idp.production import GUNICORN_WORKERS

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
    from idp.production import GUNICORN_WORKERS, check_gunicorn_hook

    monkeypatch.delenv(GUNICORN_WORKERS, raising=False)
    with pytest.raises(SettingsError, match=r"gunicorn runs without the worker check: start it with `idp serve`"):
        check_gunicorn_hook(_settings(tmp_path, "production"))
    check_gunicorn_hook(_settings(tmp_path, "production", "redis://cache.internal:6379/0"))
    monkeypatch.setenv(GUNICORN_WORKERS, "1")
    check_gunicorn_hook(_settings(tmp_path, "production"))


def test_real_gunicorn_in_production_without_redis(tmp_path):
    """With the hook: stops before any worker; without it, the workers refuse to boot."""
    pytest.importorskip("gunicorn")
    from live import _free_port

    from idp.production import GUNICORN_WORKERS

    env = {**os.environ, **_config(tmp_path, "production")}
    env.pop(GUNICORN_WORKERS, None)
    bind = ["--bind", f"127.0.0.1:{_free_port()}", "--workers", "2"]
    hooked = subprocess.run([*GUNICORN, "-c", "python:idp.gunicorn_conf", *bind, "idp.wsgi:app"], env=env,
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert hooked.returncode == 1 and REFUSED in hooked.stderr
    bare = subprocess.run([*GUNICORN, *bind, "idp.wsgi:app"], env=env, capture_output=True, text=True,
                          cwd=Path(tmp_path), timeout=60)
    assert bare.returncode != 0 and "gunicorn runs without the worker check" in bare.stderr


def test_serve_in_production_without_gunicorn_is_refused(tmp_path, monkeypatch):
    from idp import cli

    import werkzeug.serving

    served = []
    monkeypatch.setattr(cli, "_has_gunicorn", lambda: False)
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda *args, **kwargs: served.append(args))
    result, _ = _serve(tmp_path, monkeypatch, "production", "--workers", "1")
    assert result.exit_code == 2
    assert "gunicorn is not installed and Werkzeug is a development server: pip install '.[production]'" in result.output
    assert served == []
