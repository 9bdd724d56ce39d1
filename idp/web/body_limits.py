"""Request body limits (OWASP ASVS 5 V4.1 / CWE-770): a body larger than
``[server] max_request_bytes`` (64 KiB by default) is refused with 413 before anything reads
it: before form parsing, before CSRF, before Authlib.

A declared ``Content-Length`` over the limit is refused at once, unread. A body without one
(chunked) is read through :class:`BoundedBody`, which refuses it with 413 at the first byte
beyond the limit: Werkzeug's own bound (``request.max_content_length``) stops reading at the
limit and hands the cut form on as if it were whole.

A body the server cannot read (a malformed chunk: gunicorn's ``InvalidChunkSize``, Werkzeug's
``OSError``; Granian's read errors alike) is the client's fault: 400 (:class:`UnreadableBody`),
never a 500, whoever reads it first (CSRF, :mod:`idp.web.params`, Authlib).
Only a route that takes a file declares a larger limit, with :func:`allow_body` on its view:
the rest of the service never parses more than a form's worth. Browsers get a French page;
the protocol endpoints a JSON ``invalid_request`` (RFC 6749 §5.2 has no code of its own for
it)."""

from __future__ import annotations

import io
import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest, ClientDisconnected, HTTPException, RequestEntityTooLarge

from idp.web.endpoints import API_ENDPOINTS

log = logging.getLogger("idp.body_limits")


def allow_body(limit: int):
    """Mark a view as taking bodies up to ``limit`` bytes (put it under ``@bp.route``)."""
    def mark(view):
        view.max_body_bytes = limit
        return view
    return mark


def body_limit() -> int:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "max_body_bytes", current_app.config["MAX_CONTENT_LENGTH"])


class UnreadableBody(BadRequest):
    """The server could not read the request body (malformed chunked encoding, cut short)."""


class BoundedBody(io.RawIOBase):
    """The server's input stream, read through: a read error becomes :class:`UnreadableBody`,
    and with a ``limit`` the byte past it is :class:`RequestEntityTooLarge` (it reads one byte
    beyond the limit to know the body goes on, where Werkzeug stops and truncates)."""

    def __init__(self, raw, limit: int | None = None):
        super().__init__()
        self._raw, self._limit, self._count = raw, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        wanted = len(buffer) if self._limit is None else min(len(buffer), self._limit + 1 - self._count)
        try:
            data = self._raw.read(wanted)
        except HTTPException:
            raise
        except Exception as error:  # noqa: BLE001  (each server has its own: all are the client's body)
            log.info("body_unreadable endpoint=%s cause=%s", request.endpoint, type(error).__name__)
            raise UnreadableBody() from None
        self._count += len(data)
        if self._limit is not None and self._count > self._limit:
            raise RequestEntityTooLarge()
        buffer[:len(data)] = data
        return len(data)


def refuse_large_bodies() -> None:
    limit = body_limit()
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    environ = request.environ
    if request.content_length is None and "wsgi.input_terminated" in environ:
        # chunked (the server ends the stream): bounded here, Werkzeug's stream is this one
        request.stream = BoundedBody(environ["wsgi.input"], limit)
    else:   # Werkzeug bounds it by its Content-Length; read errors still become a 400
        environ["wsgi.input"] = BoundedBody(environ["wsgi.input"])


def _refused(status: int, description: str, title, message):
    """JSON ``invalid_request`` on the protocol endpoints, the French page elsewhere."""
    if request.endpoint in API_ENDPOINTS:
        response = jsonify(error="invalid_request", error_description=description)
        response.status_code = status
        return response
    return render_template("error.html", title=title, message=message), status


def too_large(error):
    return _refused(413, "request body too large", _l("Envoi trop volumineux"),
                    _l("Les données envoyées dépassent la taille autorisée. Revenez en arrière "
                       "et réessayez ; un justificatif ne doit pas dépasser 5 Mo."))


def unreadable(error):
    return _refused(400, "request body could not be read", _l("Envoi interrompu"),
                    _l("Les données envoyées n'ont pas pu être lues. Revenez en arrière et réessayez."))


def setup_body_limits(app, max_request_bytes: int) -> None:
    """Call before CSRFProtect.init_app: before_request functions run in registration order."""
    app.config["MAX_CONTENT_LENGTH"] = max_request_bytes
    app.before_request(refuse_large_bodies)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(UnreadableBody, unreadable)
    app.register_error_handler(ClientDisconnected, unreadable)   # Werkzeug's name for an OSError read
