"""Access logs without secrets: no query string (it carries authorization codes on
callbacks, ``login_hint``s that may be a NIR, states) and no activation-link token (it is in
the path). Used by ``idp serve``: a filter on Granian's access logger (installed by
``idp.wsgi``), gunicorn's ``--logger-class`` and a filter on Werkzeug's request log
(development server). OWASP ASVS V7.1.1: never log credentials or tokens.

Application logs without database values: :class:`DatabaseValueRedactor` on the root
logger's handlers (installed by ``create_app``, through ``web/errors.setup_errors``) redacts
what a database error may quote (``idp/store/errors.py``) from every line and traceback."""

from __future__ import annotations

import logging
import re

from idp.store.errors import redact_log_text

_SECRET_IN_PATH = re.compile(r"(/signup/activate/[^/?\s]+/)[^/?\s]+")
# Werkzeug colours its request line (ANSI codes inside the quotes) on any non-Windows host
_ANSI = r"(?:\x1b\[[\d;]*m)*"
_TARGET = re.compile(rf'"(?P<pre>{_ANSI})(?P<method>[A-Z]+) (?P<target>\S+)(?P<rest> HTTP/[\d.]+)?(?P<post>{_ANSI})"')
# header atoms of custom gunicorn formats that carry credentials or codes whatever their shape
_BLANKED = {"{authorization}i", "{cookie}i", "{set-cookie}o", "{location}o", "{query_string}e"}


def redact_target(target: str) -> str:
    """``/caf/franceconnect/callback?code=…`` → ``/caf/franceconnect/callback?[…]``."""
    path, mark, _ = (target or "").partition("?")
    return _SECRET_IN_PATH.sub(r"\1[…]", path) + ("?[…]" if mark else "")


def redact_request_line(text: str) -> str:
    """Every quoted ``"METHOD target HTTP/x"`` in a log line, redacted."""
    return _TARGET.sub(lambda m: f'"{m["pre"]}{m["method"]} {redact_target(m["target"])}{m["rest"] or ""}{m["post"]}"',
                       text)


class WerkzeugRedactor(logging.Filter):
    """For the development server's request lines (logger ``werkzeug``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_request_line(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class GranianRedactor(logging.Filter):
    """Granian logs ``access_logger.info(fmt, atoms)``: the atoms are redacted in place of
    the line. Header atoms of custom formats (``%(header{authorization})s``, cookies) are
    blanked when they hold a credential, redacted when they hold a URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if isinstance(atoms, dict):
            record.args = {key: _granian_atom(key, value) for key, value in atoms.items()}
        return True


def _granian_atom(key: str, value):
    if not isinstance(value, str):
        return value
    if key == "path":
        return redact_target(value)
    if key == "query_string":
        return "[…]" if value else ""
    if key.startswith("_h"):   # a request header
        if value.startswith(("http://", "https://", "/")):   # Referer, Origin
            return redact_target(value.split("#", 1)[0])
        if "=" in value or value.split(" ", 1)[0].lower() in ("basic", "bearer", "dpop"):
            return "-"   # cookies, credentials
    return value


def install_granian_filter() -> None:
    logger = logging.getLogger("granian.access")
    if not any(isinstance(f, GranianRedactor) for f in logger.filters):
        logger.addFilter(GranianRedactor())


def install_werkzeug_filter() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, WerkzeugRedactor) for f in logger.filters):
        logger.addFilter(WerkzeugRedactor())


class DatabaseValueRedactor(logging.Filter):
    """On a handler: a record's message and traceback, with PostgreSQL's ``DETAIL``/``CONTEXT``
    lines, ``Key (…)=(…)``, ``Failing row contains (…)`` and SQLAlchemy's ``[parameters: …]``
    redacted. The traceback is formatted here (``exc_text``, which formatters reuse) so that
    what the handler writes is the redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_log_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_log_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_log_text(record.stack_info)
        return True


def install_database_value_filter(logger: logging.Logger | None = None) -> None:
    """On each handler of ``logger`` (the root logger: every application logger propagates to
    it), once. A handler an operator adds after the start is theirs to filter."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, DatabaseValueRedactor) for f in handler.filters):
            handler.addFilter(DatabaseValueRedactor())


try:  # gunicorn is the production extra; without it only the Werkzeug filter is used
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - depends on the install
    _GunicornLogger = None

if _GunicornLogger is not None:
    class GunicornLogger(_GunicornLogger):
        """``idp serve`` passes ``--logger-class idp.web.logredact.GunicornLogger``."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            path = environ.get("PATH_INFO", "")
            query = environ.get("QUERY_STRING", "")
            target = redact_target(path + (f"?{query}" if query else ""))
            atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {target} {environ.get('SERVER_PROTOCOL', '-')}"
            atoms["U"] = redact_target(path)
            atoms["q"] = ""
            atoms["f"] = redact_target(atoms.get("f", "-")) if atoms.get("f", "-") != "-" else "-"
            for key, value in atoms.items():   # {header}i / {header}o / {environ}e atoms of custom formats
                if key.startswith("{") and isinstance(value, str):
                    if key.lower() in _BLANKED:
                        atoms[key] = "-"
                    elif "?" in value or "#" in value or "/signup/activate/" in value:
                        atoms[key] = redact_target(value.split("#", 1)[0])
            return atoms
