"""RFC 9457 problem details: every 4xx and 5xx of the admin API, in one shape.

``application/problem+json`` with ``type`` (a URI naming the kind of problem, under
``{public_url}/admin/problems/``), ``title`` (the same for every problem of that type),
``status`` and ``detail`` (this occurrence). A client tells problems apart by ``type``,
never by parsing ``detail``. Validation failures add ``errors`` (RFC 9457 §3.2 extension
members).

The handlers are the blueprint's, by status code: Flask asks a blueprint's handlers before
the application's for an error raised in its views (a 413 from the body limits, a 503 from
an outage, a 500), so the pages keep their French pages and the protocol endpoints their
OAuth JSON. Paths under ``/admin/`` that match no route (404, 405) are routed here by
:func:`idp.admin.api.setup_admin`.
"""

from __future__ import annotations

import logging

from flask import current_app, jsonify
from werkzeug.exceptions import HTTPException

from idp.store.db import db
from idp.web.errors import OUTAGES, RETRY_AFTER

log = logging.getLogger("idp.admin")

TITLES = {
    "bad-request": (400, "Bad request"),
    "unauthorized": (401, "Authentication required"),
    "forbidden": (403, "Forbidden"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "conflict": (409, "Conflict"),
    "replayed": (409, "Request already made"),
    "too-large": (413, "Request body too large"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "validation": (422, "Validation failed"),
    "idempotency-key-required": (428, "Idempotency-Key required"),
    "too-many-requests": (429, "Too many requests"),
    "server-error": (500, "Internal server error"),
    "unavailable": (503, "Service temporarily unavailable"),
}
BY_STATUS = {status: kind for kind, (status, _) in reversed(list(TITLES.items()))}


class Problem(Exception):
    """Raised by the API's views; rendered by :func:`render`."""

    def __init__(self, kind: str, detail: str, headers: dict | None = None, **extensions):
        super().__init__(detail)
        self.kind, self.detail, self.headers, self.extensions = kind, detail, headers or {}, extensions

    @property
    def status(self) -> int:
        return TITLES[self.kind][0]


def type_uri(kind: str) -> str:
    return f"{current_app.config['IDP_SETTINGS'].server.public_url.rstrip('/')}/admin/problems/{kind}"


def render(problem: Problem):
    status, title = TITLES[problem.kind]
    body = {"type": type_uri(problem.kind), "title": title, "status": status, "detail": problem.detail}
    body.update(problem.extensions)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers["Cache-Control"] = "no-store"
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def unauthorized(detail: str) -> Problem:
    """401 with its challenge (RFC 6750 §3): the token is missing, bad, expired or not ours."""
    return Problem("unauthorized", detail, {"WWW-Authenticate": 'Bearer realm="idp-admin", error="invalid_token"'})


def from_http(error: HTTPException):
    """A Werkzeug error (404, 405, 413, 400 …) raised in or before an admin view."""
    kind = BY_STATUS.get(error.code or 500, "bad-request" if (error.code or 500) < 500 else "server-error")
    headers = {"Allow": error.response.headers["Allow"]} if error.code == 405 and error.response else {}
    if error.code == 405 and not headers and getattr(error, "valid_methods", None):
        headers = {"Allow": ", ".join(error.valid_methods)}
    detail = {404: "No such resource.", 405: "This method is not allowed on this resource.",
              413: "The request body is larger than the server accepts."}.get(error.code, error.description or "")
    return render(Problem(kind, detail, headers))


def from_exception(error: Exception):
    """A bug (its traceback logged by Flask) or an outage: 500 or 503, no detail of it."""

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  (a lost connection: discarded anyway)
        pass
    if isinstance(error, OUTAGES):
        log.error("admin_unavailable cause=%s", type(error).__name__)
        return render(Problem("unavailable", "The service is temporarily unavailable, try again later.",
                              {"Retry-After": RETRY_AFTER}))
    if isinstance(error, HTTPException):
        return from_http(error)
    log.exception("admin_server_error")
    return render(Problem("server-error", "The server encountered an unexpected error."))
