"""Gunicorn hooks of the identity provider: ``gunicorn -c python:idp.gunicorn_conf idp.wsgi:app``
(``idp serve`` always passes it).

In gunicorn's master, before any worker starts, the worker count is checked against the
counters (:func:`idp.config.production.workers_to_serve`): several workers need ``[redis] url``.
Production stops with the reason; development serves one worker. The count is then passed
to the workers (``IDP_GUNICORN_WORKERS``), whose ``idp.wsgi`` refuses to serve in production
without it. A worker that exits is
told to prometheus-client's multiprocess mode (``child_exit``, idp/web/metrics.py)."""

from __future__ import annotations

import os

from idp.config.production import GUNICORN_WORKERS, workers_to_serve
from idp.config.settings import SettingsError, load_settings
from idp.web.metrics import worker_exited


def on_starting(server) -> None:
    try:
        server.num_workers = workers_to_serve(load_settings(), server.num_workers)
    except SettingsError as error:
        raise RuntimeError(str(error)) from None   # gunicorn prints "Error: ..." and exits 1
    os.environ[GUNICORN_WORKERS] = str(server.num_workers)


def child_exit(server, worker) -> None:
    """A worker is gone (crash, restart): prometheus-client's multiprocess mode is told."""
    worker_exited(worker.pid)
