"""Prometheus metrics: what operators graph and alert on, at ``GET /metrics``.

Every worker counts. ``idp serve`` runs several processes (Granian or gunicorn workers), and a
scrape reaches one of them: with ``PROMETHEUS_MULTIPROC_DIR`` set (``idp serve`` sets it,
:func:`multiprocess_environ`), each process writes its values to its own files in that directory
and a scrape sums them all (prometheus-client's multiprocess mode; gunicorn's master marks a
dead worker's files, ``idp.gunicorn_conf``). Without it (Werkzeug in development, the tests'
app), the values are this process's own (:data:`REGISTRY`, not prometheus-client's global one).

No label carries an identifier: tenants are the configured ones, methods, results and grant
types closed lists, endpoints the Flask endpoint names (never the raw path, which may carry an
interaction handle or a link token). A value outside its list is counted as ``other``.

Recording costs a few microseconds (a dictionary lookup and a locked add, an ``mmap`` write in
multiprocess mode): it is on the token endpoint's path (bench/RESULTS.md, "Metrics").

Access (:func:`allowed`): from ``[metrics] allowed_networks``, or with the bearer token read
from the environment variable ``[metrics] token_env``; else 403 (no token sent) or 401 (a wrong
one). The address is the one the server sees: ``X-Forwarded-For`` counts only with ``[server]
trust_proxy`` (then ProxyFix has put the client's address in ``REMOTE_ADDR``); without it, a
request that came through a proxy (it carries ``X-Forwarded-For`` or ``Forwarded``) gets no
network allowance at all, since its address is the proxy's (often 127.0.0.1).
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import os
import tempfile
import time
from pathlib import Path

from flask import Blueprint, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
ENDPOINT = "idp.metrics.endpoint"   # the WSGI environ key the Flask endpoint name is left in

METHODS = frozenset({"password", "franceconnect", "passkey"})
LOGIN_RESULTS = frozenset({"success", "failure", "locked", "inactive", "expired", "malformed"})
GRANT_TYPES = frozenset({"authorization_code", "refresh_token", "client_credentials"})
DELIVERY_RESULTS = frozenset({"sent", "failed", "abandoned"})
SIGNUP_RESULTS = frozenset({"active", "pending_activation", "pending_document", "provisional", "identifier_taken"})
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"   # the text format every Prometheus reads
UNROUTED = "unrouted"   # answered before or without Flask's routing (404, a refused body)

REGISTRY = CollectorRegistry()

LOGINS = Counter("idp_logins", "Login attempts, by tenant, method and result.",
                 ["tenant", "method", "result"], registry=REGISTRY)
TOKENS = Counter("idp_tokens_issued", "Tokens issued at /token, by tenant and grant type.",
                 ["tenant", "grant_type"], registry=REGISTRY)
DURATION = Histogram("idp_http_request_duration_seconds", "Time to answer a request, by Flask endpoint.",
                     ["endpoint"], registry=REGISTRY)
PASSWORD_HASH = Histogram("idp_password_hash_seconds", "Time of one Argon2id hash or verification.",
                          registry=REGISTRY, buckets=(.01, .025, .05, .1, .15, .2, .3, .5, .75, 1, 2, 5))
DELIVERIES = Counter("idp_backchannel_deliveries", "Back-channel logout delivery attempts, by result.",
                     ["result"], registry=REGISTRY)
SIGNUPS = Counter("idp_signups", "Accounts created by a signup, by tenant and resulting status.",
                  ["tenant", "result"], registry=REGISTRY)

# what authenticate()'s outcome codes count as (idp/accounts/login.py); an account: success
PASSWORD_RESULTS = {"invalid_credentials": "failure", "throttled": "locked", "inactive": "inactive",
                    "provisional_expired": "expired"}


def _closed(value, allowed) -> str:
    return value if value in allowed else "other"


def _tenant() -> str:
    tenant = g.get("tenant")
    return tenant.slug if tenant is not None else "none"   # slugs are the configured tenants


def count_login(method: str, result: str) -> None:
    LOGINS.labels(_tenant(), _closed(method, METHODS), _closed(result, LOGIN_RESULTS)).inc()


def counted_password_login(authenticate):
    """Count what ``authenticate`` answered: success when it gave an account (a provisional
    code included), else its refusal; a badly formed name or an empty field is ``malformed``."""
    @functools.wraps(authenticate)
    def counted(*args, **kwargs):
        outcome = authenticate(*args, **kwargs)
        result = "success" if outcome.account is not None else PASSWORD_RESULTS.get(outcome.code, "malformed")
        count_login("password", result)
        return outcome
    return counted


_TOKEN_CHILDREN: dict[tuple[str, str], object] = {}


def count_token(grant_type: str | None) -> None:
    """One increment on the child of (tenant, grant type), kept: ``labels()`` validates and
    joins its labels on every call, a third of a token's metrics work (issue 15)."""
    key = (_tenant(), _closed(grant_type, GRANT_TYPES))
    child = _TOKEN_CHILDREN.get(key)
    if child is None:
        child = _TOKEN_CHILDREN[key] = TOKENS.labels(*key)
    child.inc()


def count_delivery(result: str) -> None:
    DELIVERIES.labels(_closed(result, DELIVERY_RESULTS)).inc()


def count_signup(result: str) -> None:
    SIGNUPS.labels(_tenant(), _closed(result, SIGNUP_RESULTS)).inc()


def time_password_hash(seconds: float) -> None:
    PASSWORD_HASH.observe(seconds)


# -- per-request duration --------------------------------------------------------------------

class RequestTimer:
    """WSGI middleware: the time to answer, under the endpoint Flask matched (left in the
    environ by :func:`_leave_endpoint`, which runs even when the view raised)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.children = {}   # endpoint -> labelled histogram: no label lookup per request

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            endpoint = environ.get(ENDPOINT) or UNROUTED
            child = self.children.get(endpoint)
            if child is None:
                child = self.children[endpoint] = DURATION.labels(endpoint)
            child.observe(time.perf_counter() - started)


def _leave_endpoint(error=None) -> None:
    request.environ[ENDPOINT] = request.endpoint


# -- the endpoint ----------------------------------------------------------------------------

bp = Blueprint("metrics", __name__)


def _proxied() -> bool:
    return "HTTP_X_FORWARDED_FOR" in request.environ or "HTTP_FORWARDED" in request.environ


def _from_allowed_network(settings) -> bool:
    if _proxied() and not settings.server.trust_proxy:
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in current_app.extensions["idp_metrics_networks"])


def allowed() -> int | None:
    """None when the request may read the metrics, else the status to answer: 401 for a
    bearer token that is not the configured one (compared in constant time), 403 for no
    token from outside the allowed networks."""
    settings = current_app.config["IDP_SETTINGS"]
    header = request.headers.get("Authorization", "")
    if header:
        expected = os.environ.get(settings.metrics.token_env, "")
        scheme, _, presented = header.partition(" ")
        if expected and scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(),
                                                                           expected.encode()):
            return None
        return 401
    return None if _from_allowed_network(settings) else 403


def exposition() -> bytes:
    """Every worker's values (multiprocess mode), or this process's."""
    if not os.environ.get(MULTIPROC_DIR):
        return generate_latest(REGISTRY)
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


@bp.route("/metrics")
def metrics():
    refused = allowed()
    if refused is not None:
        response = Response("unauthorized\n" if refused == 401 else "forbidden\n", refused, mimetype="text/plain")
        if refused == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics", error="invalid_token"'
    else:
        response = Response(exposition(), 200, content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


def setup_metrics(app) -> None:
    """The endpoint (not under a tenant), and the request timer; call before the published
    documents' middleware, which stays outermost (discovery and JWKS are not timed)."""
    settings = app.config["IDP_SETTINGS"].metrics
    app.extensions["idp_metrics_networks"] = [ipaddress.ip_network(n) for n in settings.allowed_networks]
    if settings.enabled:
        app.register_blueprint(bp)
    app.teardown_request(_leave_endpoint)
    app.wsgi_app = RequestTimer(app.wsgi_app)


# -- multiprocess mode under idp serve -------------------------------------------------------

def multiprocess_environ() -> dict[str, str]:
    """``PROMETHEUS_MULTIPROC_DIR`` for the workers ``idp serve`` starts: the operator's (a
    tmpfs directory such as ``/run/idp/metrics``) or a new temporary one, emptied of a previous
    run's values (counters restart at zero with the server, as Prometheus expects)."""
    folder = Path(os.environ.get(MULTIPROC_DIR) or tempfile.mkdtemp(prefix="idp-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for kind in ("counter", "histogram", "gauge", "summary"):
        for stale in folder.glob(f"{kind}_*.db"):
            stale.unlink()
    return {MULTIPROC_DIR: str(folder)}


def worker_exited(pid: int) -> None:
    """gunicorn's ``child_exit``: the worker's live gauges no longer count (its counters do)."""
    if os.environ.get(MULTIPROC_DIR):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
