"""Discovery (OIDC Discovery 1.0 §4) and JWKS (RFC 7517 §5) served as precomputed bytes, with
an ``ETag`` (RFC 9110 §8.8.3) and ``304 Not Modified`` to a matching ``If-None-Match``
(§13.1.2), below Flask's routing.

Both documents are the same bytes for every request until a key rotates, and relying parties
fetch them often (every start, every unknown ``kid``). A request through Flask costs a request
context, URL matching and every ``before``/``after_request`` hook (CSP, locale, session) for
bytes that do not change: bench/RESULTS.md measured it at several times the cost of writing
them. So :class:`PublishedDocuments`, a WSGI middleware around the application, answers
``GET``/``HEAD`` on ``/<tenant>/.well-known/openid-configuration`` and ``/<tenant>/jwks.json``
from a per-tenant copy, and passes every other request on.

The copy is made by the Flask views themselves (``oidc.views.discovery`` and ``jwks``), called
once through the application with a synthetic request: status, headers (Cache-Control, CORS,
the security headers of idp/web/headers.py) and body are theirs, never a second version of them.
Discovery is made once per process (it depends on configuration only). The JWKS copy belongs
to the key ring it was made from: when this process's ring is rebuilt (``keystore.RING_TTL``,
10 s, or at once in the process that rotated), the copy is made again, so every process serves
a rotation within the ring's cache time. The ``ETag`` is a hash of the bytes: the same in every
process, and unchanged across rebuilds until the keys change.

If a copy cannot be made (the database is down while the ring is rebuilt), the previous copy
goes on being served (its keys were published one rotation ahead and still verify), else the
request goes to Flask as any other.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass

from werkzeug.http import parse_etags
from werkzeug.test import EnvironBuilder, run_wsgi_app

from idp.store import keystore

log = logging.getLogger("idp.oidc.published")
DISCOVERY_PATH, JWKS_PATH = "/.well-known/openid-configuration", "/jwks.json"
# never replayed from a copy: they belong to one response, or are computed per response
PER_RESPONSE = {"content-length", "set-cookie", "date", "etag"}


@dataclass(frozen=True)
class Document:
    body: bytes
    etag: str                           # unquoted
    headers: list[tuple[str, str]]      # of a 200 answer, without Content-Length
    ring: object = None                 # the key ring a JWKS copy was made from

    def not_modified_headers(self) -> list[tuple[str, str]]:
        """RFC 9110 §15.4.5: the headers a 200 would carry, less those about the body."""
        return [(k, v) for k, v in self.headers if k.lower() != "content-type"]


def make_document(headers, body: bytes, ring=None) -> Document:
    etag = base64.urlsafe_b64encode(hashlib.sha256(body).digest()[:18]).decode()   # a strong validator
    kept = [(k, v) for k, v in headers if k.lower() not in PER_RESPONSE] + [("ETag", f'"{etag}"')]
    return Document(body, etag, kept, ring)


class PublishedDocuments:
    """WSGI middleware: the tenants' discovery and JWKS documents from per-process copies."""

    def __init__(self, flask_app, wsgi_app):
        self.flask_app = flask_app
        self.wsgi_app = wsgi_app
        self.routes = {}
        for slug in flask_app.extensions["idp_tenants"]:
            self.routes[f"/{slug}{DISCOVERY_PATH}"] = (slug, "discovery")
            self.routes[f"/{slug}{JWKS_PATH}"] = (slug, "jwks")
        self.copies: dict[str, Document] = {}

    def __call__(self, environ, start_response):
        route = self.routes.get(environ.get("PATH_INFO", ""))
        if route is None or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        path = environ["PATH_INFO"]
        document = self._document(path, *route)
        if document is None:
            return self.wsgi_app(environ, start_response)
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(document.etag):
            start_response("304 Not Modified", document.not_modified_headers())
            return []
        start_response("200 OK", [*document.headers, ("Content-Length", str(len(document.body)))])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [document.body]

    def _document(self, path: str, slug: str, kind: str) -> Document | None:
        current = self.copies.get(path)
        if kind == "discovery" and current is not None:
            return current
        if kind == "jwks":
            ring = keystore.cached_ring(slug)
            if current is not None and ring is not None and current.ring is ring:
                return current
        fresh = self._copy(path, slug, kind)
        if fresh is None:
            return current   # the previous copy still verifies; else Flask answers
        self.copies[path] = fresh
        return fresh

    def _copy(self, path: str, slug: str, kind: str) -> Document | None:
        """The Flask view's answer, through the application, without the caller's headers."""
        environ = EnvironBuilder(path=path, base_url=self.flask_app.config["IDP_SETTINGS"].server.public_url,
                                 method="GET").get_environ()
        try:
            app_iter, status, headers = run_wsgi_app(self.wsgi_app, environ, buffered=True)
            body = b"".join(app_iter)
        except Exception:   # propagated when TESTING; a 500 otherwise
            log.exception("%s of tenant %s: the view failed", kind, slug)
            status = "500 INTERNAL SERVER ERROR"
        if not status.startswith("200"):
            log.error("%s of tenant %s could not be made (%s): %s", kind, slug, status,
                      "serving the previous copy" if path in self.copies else "answering through Flask")
            return None
        ring = keystore.cached_ring(slug) if kind == "jwks" else None
        return make_document(headers.to_wsgi_list(), body, ring)


def setup_published_documents(app) -> None:
    """Outermost, so that neither Flask nor the other middlewares run for these two paths."""
    app.wsgi_app = PublishedDocuments(app, app.wsgi_app)
