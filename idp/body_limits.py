"""Request body limits (OWASP ASVS 5 V4.1 / CWE-770): a body larger than
``[server] max_request_bytes`` (64 KiB by default) is refused with 413 before anything reads
it: before form parsing, before CSRF, before Authlib.

A declared ``Content-Length`` over the limit is refused at once, unread; a body without one
(chunked) is cut by Werkzeug when it reaches the limit (``request.max_content_length``).
Only a route that takes a file declares a larger limit, with :func:`allow_body` on its view:
the rest of the service never parses more than a form's worth. Browsers get a French page;
the protocol endpoints a JSON ``invalid_request`` (RFC 6749 §5.2 has no code of its own for
it)."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

API_ENDPOINTS = {"oidc.token", "oidc.introspect", "oidc.revoke", "oidc.userinfo"}


def allow_body(limit: int):
    """Mark a view as taking bodies up to ``limit`` bytes (put it under ``@bp.route``)."""
    def mark(view):
        view.max_body_bytes = limit
        return view
    return mark


def body_limit() -> int:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "max_body_bytes", current_app.config["MAX_CONTENT_LENGTH"])


def refuse_large_bodies() -> None:
    limit = body_limit()
    request.max_content_length = limit   # also bounds a chunked body while it is read
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def too_large(error):
    if request.endpoint in API_ENDPOINTS:
        response = jsonify(error="invalid_request", error_description="request body too large")
        response.status_code = 413
        return response
    return render_template("error.html", title=_l("Envoi trop volumineux"),
                           message=_l("Les données envoyées dépassent la taille autorisée. Revenez en arrière "
                                      "et réessayez ; un justificatif ne doit pas dépasser 5 Mo.")), 413


def setup_body_limits(app, max_request_bytes: int) -> None:
    """Call before CSRFProtect.init_app: before_request functions run in registration order."""
    app.config["MAX_CONTENT_LENGTH"] = max_request_bytes
    app.before_request(refuse_large_bodies)
    app.register_error_handler(RequestEntityTooLarge, too_large)
