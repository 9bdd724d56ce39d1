"""The access log of ``idp serve``: one line per request, written by the application.

Granian can log requests itself, but its access log runs in Python on every request (a
datetime formatted, a dict of every atom built, a logging record made and formatted): the
profile of the token endpoint put it at 16 % of the worker's busy time (bench/RESULTS.md).
This middleware writes the same line, ``[time] addr - "METHOD target PROTOCOL" status ms``,
with the time formatted once a second and one write per line; ``idp serve`` turns Granian's
off and this one on (``IDP_ACCESS_LOG=1``; gunicorn keeps its own, redacted, logger).

The target is redacted as everywhere (:func:`idp.web.logredact.redact_target`): no query string
(codes, states, a ``login_hint`` that may be a NIR), no activation-link token.
"""

from __future__ import annotations

import sys
import time

from idp.web.logredact import redact_target

ENABLED = "IDP_ACCESS_LOG"


class AccessLog:
    """WSGI middleware: one line per request on ``stream`` (standard output by default)."""

    def __init__(self, wsgi_app, stream=None):
        self.wsgi_app = wsgi_app
        self.stream = stream
        self._second, self._stamp = -1, ""

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        status = []

        def recorded(line, headers, exc_info=None):
            status[:] = [line[:3]]
            return start_response(line, headers, exc_info)

        try:
            return self.wsgi_app(environ, recorded)
        finally:   # an exception is answered 500 by the server
            self.write(environ, status[0] if status else "500", time.perf_counter() - started)

    def write(self, environ, status: str, seconds: float) -> None:
        now = int(time.time())
        if now != self._second:
            self._second, self._stamp = now, time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(now))
        query = environ.get("QUERY_STRING")
        target = redact_target(environ.get("PATH_INFO", "") + (f"?{query}" if query else ""))
        stream = self.stream or sys.stdout
        stream.write(f'[{self._stamp}] {environ.get("REMOTE_ADDR", "-")} - "{environ.get("REQUEST_METHOD", "-")} '
                     f'{target} {environ.get("SERVER_PROTOCOL", "-")}" {status} {seconds * 1000:.3f}\n')
        stream.flush()
