"""What a refused or failed request gets: never Werkzeug's English "500 Internal Server Error".

- A protocol error (:mod:`idp.oidc.errors`: what :mod:`idp.web.params` refused, userinfo's
  bearer errors, the authorization and logout endpoints' refusals) is rendered here, by
  :func:`protocol_error`: JSON with its code on the protocol endpoints (token,
  introspection, revocation, userinfo, discovery, JWKS, health and the pages' JSON
  helpers), the French error page of the authorization or logout endpoint, or the
  "Demande invalide" page elsewhere. It is never a redirect here: sending an error back to
  the client is the authorization response's job (:mod:`idp.oidc.views`), and only for an
  error that :attr:`~idp.oidc.errors.ProtocolError.redirects`.
- A bug is ``server_error`` (500), an outage ``temporarily_unavailable`` (503), in JSON on
  the same endpoints; every other request gets a page in the site's layout, in French
  (English with Flask-Babel).
- Errors a person can correct are not these: a form shows them next to their fields
  (:mod:`idp.web.outcome`, ``_forms.html``).
- An outage is the database or Redis not answering (connection refused, lost, timed out,
  SQLite locked): 503 "service temporarily unavailable, try again" with ``Retry-After``, one
  log line without traceback. Any other failure is a 500 whose one traceback Flask logs, its
  path redacted as access logs are (activation links carry a token in their path).

Each handler rolls the session back first: a failed statement leaves it unusable, and the
response hooks (the CSP header) must not hit ``PendingRollbackError`` on the way out.
"""

from __future__ import annotations

import logging

import redis.exceptions
import sqlalchemy.exc
from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from idp.oidc.errors import ProtocolError, ServerError, TemporarilyUnavailable
from idp.store.db import db
from idp.web.endpoints import JSON_ENDPOINTS
from idp.web.logredact import install_database_value_filter, redact_target

log = logging.getLogger("idp.errors")

AUTHORIZATION_PAGES = {"oidc.authorize": "oidc/error.html", "oidc.resume": "oidc/error.html",
                       "oidc.logout": "oidc/logout_error.html"}
OUTAGES = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError,
           redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
RETRY_AFTER = "30"


def wants_json() -> bool:
    return request.endpoint in JSON_ENDPOINTS


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception as error:  # a lost connection may fail to roll back: it is discarded anyway
        log.warning("rollback after a failed request failed (%s)", type(error).__name__)


def _json(error: ProtocolError, headers=()):
    response = jsonify(error=error.error, error_description=error.get_error_description() or "")
    response.status_code = error.status_code
    response.headers["Cache-Control"] = "no-store"
    for name, value in headers:
        response.headers[name] = value
    return response


def protocol_error(error: ProtocolError, template: str | None = None):
    """The one rendering of a protocol error: JSON (its status, its challenge header) on the
    API endpoints, else ``template`` or the endpoint's error page, 400 (never a redirect)."""
    if template is None:
        log.info("request_refused endpoint=%s error=%s", request.endpoint, error.error)
    if wants_json():
        headers = [(k, v) for k, v in error.get_headers() if k.lower() in ("www-authenticate", "dpop-nonce")]
        if request.endpoint == "oidc.userinfo" and not headers:   # RFC 6750 §3
            headers.append(("WWW-Authenticate", f'Bearer error="{error.error}"'))
        return _json(error, headers)
    template = template or AUTHORIZATION_PAGES.get(request.endpoint)
    if template:
        return render_template(template, error=error), 400
    return render_template("error.html", title=_l("Demande invalide"),
                           message=_l("Votre demande contient des caractères ou des valeurs que nous ne "
                                      "pouvons pas accepter. Revenez en arrière, vérifiez ce que vous avez "
                                      "saisi et recommencez.")), 400


def unavailable(error: Exception):
    """The database or Redis is not answering: 503, try again (no traceback: not a bug)."""
    _rollback()
    cause = getattr(error, "orig", None) or error
    # the driver's own first line (never SQLAlchemy's, which quotes the statement): on SQLite
    # "no such table" is an OperationalError too, and must not hide behind "unavailable"
    detail = (str(cause).splitlines() or [""])[0][:200]
    log.error("service_unavailable endpoint=%s cause=%s detail=%s", request.endpoint, type(cause).__name__, detail)
    headers = [("Retry-After", RETRY_AFTER)]
    if wants_json():
        return _json(TemporarilyUnavailable("The service is temporarily unavailable, try again later."), headers)
    return render_template("errors/503.html"), 503, headers


def server_error(error):
    """Any unhandled failure (Flask has logged its traceback)."""
    _rollback()
    if wants_json():
        return _json(ServerError("The server encountered an unexpected error."))
    return render_template("errors/500.html"), 500


def log_exception(app):
    """Flask's "Exception on <path>" line, with the path redacted (activation tokens)."""
    def log_it(exc_info):
        app.logger.error("Exception on %s [%s]", redact_target(request.path), request.method, exc_info=exc_info)
    return log_it


def setup_errors(app) -> None:
    app.register_error_handler(ProtocolError, protocol_error)
    for outage in OUTAGES:
        app.register_error_handler(outage, unavailable)
    app.register_error_handler(500, server_error)
    app.log_exception = log_exception(app)
    install_database_value_filter()   # tracebacks and lines quoting no database value
