"""Database errors that quote no value: what a failed statement says in a log line, a
traceback, a CLI's ``Error:`` or an error answer never carries an identifier, an email or a
NIR.

PostgreSQL quotes the values of the row at fault: a unique violation's ``DETAIL:  Key
(tenant, email)=(caf, camille@example.fr) already exists.``, a NOT NULL or CHECK violation's
``DETAIL:  Failing row contains (…every column…)``, a bad input's ``value "…" is out of range``
and ``CONTEXT:  unnamed portal parameter $1 = '…'``. SQLAlchemy copies that text into its own
exception, next to ``[parameters: …]`` unless the engine has ``hide_parameters=True`` (it has:
``idp/app.py``).

Two layers, decided so:

* **At the source**, :func:`withhold_values` (an ``Engine`` ``handle_error`` listener, for
  every engine of the process: the application's, Alembic's, the CLI's) rewrites the text of
  a data exception or integrity violation (SQLSTATE classes 22 and 23, or SQLAlchemy's
  ``IntegrityError``/``DataError`` on a driver without SQLSTATE) before it is raised: its first
  line only, each quoted word that is not one of the error's own identifiers (constraint,
  table, column, type, from psycopg's ``diag``) replaced by ``"[…]"``, and ``DETAIL withheld``
  in place of the rest. The structured fields (``exc.orig.sqlstate``, ``diag.constraint_name``)
  are untouched, so code that tells a duplicate from another failure keeps doing so. Other
  errors (a lost connection, a missing table) keep their text: they quote hosts and table
  names, which an operator needs, never a person's value.
* **In the logs**, :class:`DatabaseValueRedactor` (``idp/web/logredact.py`` installs it on the
  root logger's handlers) redacts the same shapes in any log line and traceback, in case an
  exception reaches a log without passing through an engine (a raw driver connection, another
  library's engine without ``hide_parameters``).
"""

from __future__ import annotations

import re

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

WITHHELD = "DETAIL withheld (it may quote values)"
_QUOTED = re.compile(r'"([^"\n]*)"')
_VALUE_CLASSES = ("22", "23")   # data exception, integrity constraint violation
_IDENTIFIER_FIELDS = ("constraint_name", "table_name", "column_name", "datatype_name", "schema_name")

# the shapes a log line may carry whatever produced it (see the module's docstring)
_LOG_SHAPES = (
    (re.compile(r"^(\s*(?:DETAIL|CONTEXT):).*$", re.MULTILINE), r"\1  [withheld]"),
    (re.compile(r"Key \(([^)\n]*)\)=\(.*?\)( already exists| is not present| is still referenced|$)",
                re.MULTILINE), r"Key (\1)=([…])\2"),
    (re.compile(r"Failing row contains \(.*\)"), "Failing row contains ([…])"),
    (re.compile(r"\[parameters: .*?\](?=\n|$)", re.DOTALL), "[parameters withheld]"),
    (re.compile(r"(value|input syntax for type \w+:|input value for enum \w+:) \"[^\"\n]*\""), r'\1 "[…]"'),
)
_LOG_MARKS = ("DETAIL:", "CONTEXT:", "Key (", "Failing row", "[parameters:", "value")


def _sqlstate(orig) -> str | None:
    return getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)


def quotes_values(error: DBAPIError) -> bool:
    """A data exception or an integrity violation: the errors whose text quotes the row."""
    state = _sqlstate(error.orig)
    if state:
        return state[:2] in _VALUE_CLASSES
    return isinstance(error, (IntegrityError, DataError))


def safe_driver_text(orig: BaseException) -> str:
    """The driver's message with no value left: its first line, quoted words other than the
    error's own identifiers replaced, the rest (``DETAIL``, ``CONTEXT``) withheld."""
    lines = str(orig).splitlines() or [""]
    diag = getattr(orig, "diag", None)
    names = {getattr(diag, field, None) for field in _IDENTIFIER_FIELDS} - {None}
    first = _QUOTED.sub(lambda m: m[0] if m[1] in names else '"[…]"', lines[0])
    return first + (f"\n{WITHHELD}" if len(lines) > 1 else "")


def withhold_values(context) -> None:
    """``handle_error`` listener: the driver's exception and SQLAlchemy's, rewritten in place
    (their ``args``, from which ``str()`` and tracebacks are made) before they are raised."""
    error = context.sqlalchemy_exception
    if not isinstance(error, DBAPIError) or error.orig is None or not quotes_values(error):
        return
    orig = error.orig
    text = safe_driver_text(orig)
    try:
        orig.args = (text,)
    except (AttributeError, TypeError):   # pragma: no cover - a driver whose errors are immutable
        pass
    error.args = (f"({type(orig).__module__}.{type(orig).__name__}) {text}",)


def redact_log_text(text: str) -> str:
    """A log line or a formatted traceback, with the shapes that quote values redacted."""
    if not text or not any(mark in text for mark in _LOG_MARKS):
        return text
    for shape, replacement in _LOG_SHAPES:
        text = shape.sub(replacement, text)
    return text
