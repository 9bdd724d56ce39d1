"""Work done after the answer: a small pool of threads per process, each job in its own
application context with the tenant of the request that handed it over.

For answers whose time must not tell what the work found: the forgot pages ("mot de passe
oublié", "identifiant oublié") must answer alike whether an account exists and has the
channel asked, yet only then is a code written and a message sent, through an SMTP server
or an SMS gateway that may take seconds. The request therefore does the same work either
way (check the form, count the address, hand the job over) and the job looks the account
up and sends (OWASP ASVS 5 V6.3.8, as Keycloak and Kratos send recovery mail off the request).

A job waiting when its process stops is lost: it is a message the person asks again, as a
lost email would be. State that must survive a restart is a database row instead
(back-channel logouts). The pool is created on first use, so in each worker after a fork.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from flask import Flask, current_app, g

log = logging.getLogger("idp.background")
WORKERS = 2   # jobs are mostly waiting on SMTP or the gateway; sends are bounded by [verification]


class Jobs:
    def __init__(self, app: Flask, workers: int = WORKERS):
        self._app = app
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="idp-job")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def submit(self, tenant, job, args) -> Future:
        future = self._pool.submit(self._run, tenant, job, args)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def wait(self, timeout: float | None = None) -> None:
        """Until every job handed over so far has run (tests; an orderly stop)."""
        with self._lock:
            pending = set(self._pending)
        wait(pending, timeout=timeout)

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def _run(self, tenant, job, args) -> None:
        with self._app.app_context():
            g.tenant = tenant
            try:
                job(*args)
            except Exception as exc:   # the person has had their answer; say what failed, not with what
                log.error("background_job_failed tenant=%s job=%s error=%s", tenant.slug, job.__name__,
                          type(exc).__name__)


_creating = threading.Lock()


def jobs(app: Flask | None = None) -> Jobs:
    app = app or current_app._get_current_object()
    with _creating:
        if "idp_jobs" not in app.extensions:
            app.extensions["idp_jobs"] = Jobs(app)
        return app.extensions["idp_jobs"]


def run_after(job, *args) -> Future:
    """Run ``job(*args)`` after this request, with this request's tenant in ``g.tenant``.
    ``args`` must be plain values (no database row: the job has its own session)."""
    return jobs().submit(g.tenant, job, args)
