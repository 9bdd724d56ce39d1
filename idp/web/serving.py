"""How ``idp serve`` runs the provider: the production HTTP server and its command line.

The server was chosen by measurement (bench/RESULTS.md, "Choosing the production server"):
Granian's WSGI interface (a Rust HTTP/1.1 server: parsing, keep-alive and the access log out of
the interpreter) against gunicorn's ``sync`` and ``gthread`` workers, on the token endpoint,
the password journey and discovery. ``--server gunicorn`` stays available (same checks, same
redacted access log) for operators who standardised on it, and for the bench.

Workers default to the cores this process may use (``os.sched_getaffinity``): the work is
CPU-bound under the GIL, so one process per core, and one Granian thread in each: with 2 or 4
threads the password journey cost more CPU (the GIL changing hands, and one 19 MiB Argon2id
buffer per concurrent login), the token endpoint the same, on SQLite and PostgreSQL alike.
``--threads N`` (Granian's blocking threads, gunicorn gthread's threads) is for deployments
whose requests wait long on upstreams (FranceConnect, SMTP).

Whatever the server, the worker count was checked against the counters before any worker
starts (:func:`idp.config.production.workers_to_serve`): ``idp serve`` does it and says so to the
workers (``IDP_SERVED_WORKERS``; gunicorn's master hook ``idp.gunicorn_conf`` does it too), and
``idp.wsgi`` refuses to serve in production when neither did (a bare ``granian`` or
``gunicorn`` command without Redis)."""

from __future__ import annotations

import os
import sys

from idp.web.access_log import ENABLED as ACCESS_LOG
from idp.config.production import SERVED_WORKERS

SERVERS = ("granian", "gunicorn")
DEFAULT_SERVER = "granian"
DEFAULT_THREADS = {"granian": 1, "gunicorn": 4}
KEEP_ALIVE_SECONDS = 5   # gunicorn's; Granian keeps HTTP/1.1 connections alive until the client closes


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def available(server: str) -> bool:
    try:
        __import__(server)
    except ImportError:
        return False
    return True


def server_environ(server: str, workers: int, access_log: bool) -> dict[str, str]:
    """What ``idp serve`` tells the workers: the worker count was checked (idp.wsgi lets them
    serve), and whether the application writes the access log (Granian only)."""
    return {SERVED_WORKERS: str(workers), ACCESS_LOG: "1" if access_log and server == "granian" else "0"}


def server_argv(server: str, host: str, port: int, workers: int, threads: int | None,
                worker_class: str = "gthread", access_log: bool = True, production: bool = True) -> list[str]:
    """The command that serves ``idp.wsgi:app`` (exec'd by ``idp serve``)."""
    threads = threads or DEFAULT_THREADS[server]
    if server == "granian":
        argv = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
                "--workers", str(workers), "--blocking-threads", str(threads), "--no-ws"]
        if production:   # as gunicorn's master does; Granian stops on a crash loop
            argv.append("--respawn-failed-workers")
        # Granian's own access log costs a sixth of a token request: idp.web.access_log writes the
        # line instead (server_environ; idp.wsgi also redacts Granian's logger for bare runs)
        return [*argv, "--no-access-log", "idp.wsgi:app"]
    argv = [sys.executable, "-m", "gunicorn", "--config", "python:idp.gunicorn_conf", "--workers", str(workers),
            "--bind", f"{host}:{port}", "--worker-class", worker_class, "--threads", str(threads),
            "--keep-alive", str(KEEP_ALIVE_SECONDS)]
    if access_log:   # without query strings nor link tokens (idp/web/logredact.py)
        argv += ["--access-logfile", "-", "--logger-class", "idp.web.logredact.GunicornLogger"]
    return [*argv, "idp.wsgi:app"]
