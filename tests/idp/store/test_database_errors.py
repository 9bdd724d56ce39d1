"""Database errors quote no value (idp/store/errors.py): a real duplicate, a NOT NULL violation
carrying an email in its failing row, and an out-of-range value, on SQLite and PostgreSQL; the
500 of a request that meets one, its log line and traceback; the log filter on a driver's raw
text."""

from __future__ import annotations

import io
import logging
import traceback

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DataError, IntegrityError


EMAIL = "camille.secret@example.fr"
INDEX = "b1e55ed0" * 8   # a blind index digest: linkable to a person, never in a log
NIR = "185079948412345"


def _account(**fields):
    from idp.store.models import Account

    return Account(tenant="caf", identifier_sealed=b"SEALED-BYTES", email=EMAIL, **fields)


def _failure(app, *rows, statement=None):
    from idp.store.db import db

    with app.app_context():
        try:
            if statement is not None:
                db.session.execute(sa.text(statement[0]), statement[1])
            for row in rows:
                db.session.add(row)
                db.session.flush()
        except (IntegrityError, DataError) as exc:
            db.session.rollback()
            return exc
        finally:
            db.session.rollback()
    pytest.fail("the statement did not fail")


def _texts(exc) -> str:
    return "\n".join([str(exc), str(exc.orig), repr(exc.orig), *traceback.format_exception(exc)])


def test_a_duplicate_key_quotes_no_value(app, backend):
    from idp.store.db import db

    with app.app_context():
        db.session.add(_account(identifier_index=INDEX))
        db.session.commit()
    exc = _failure(app, _account(identifier_index=INDEX))
    texts = _texts(exc)
    assert INDEX not in texts and EMAIL not in texts
    assert "[SQL:" in str(exc)   # the statement stays (placeholders, no values)
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(exc)   # the engine's option
    if backend == "postgresql":
        assert 'unique constraint "uq_accounts_tenant"' in str(exc.orig)   # the constraint is named
        assert "DETAIL withheld" in str(exc.orig)
        assert exc.orig.sqlstate == "23505" and exc.orig.diag.constraint_name == "uq_accounts_tenant"


def test_a_failing_row_quotes_no_email(app, backend):
    exc = _failure(app, _account(identifier_index=None))
    texts = _texts(exc)
    assert EMAIL not in texts and "SEALED-BYTES" not in texts
    if backend == "postgresql":
        assert 'column "identifier_index"' in str(exc.orig) and "Failing row" not in texts


def test_a_value_out_of_range_is_not_quoted(app, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL's data exceptions (SQLite converts silently)")
    exc = _failure(app, statement=("SELECT CAST(:v AS INTEGER)", {"v": NIR}))
    texts = _texts(exc)
    assert NIR not in texts and "parameter $1" not in texts
    assert 'value "[…]" is out of range for type integer' in str(exc.orig)


def test_a_request_meeting_a_duplicate_answers_and_logs_no_value(app, monkeypatch, caplog):
    """The login page's view replaced by one that meets a duplicate (an existing endpoint: the
    metrics' closed set of endpoint names stays closed), exceptions answered as in production:
    the 500 page and Flask's "Exception on …" traceback, as the root logger's handler writes
    them."""
    from idp.store.db import db
    from idp.web.logredact import install_database_value_filter

    def duplicate(**_):
        db.session.add(_account(identifier_index=INDEX))
        db.session.flush()
        db.session.add(_account(identifier_index=INDEX))
        db.session.flush()

    monkeypatch.setitem(app.view_functions, "accounts.direct_login", duplicate)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    logging.getLogger().addHandler(handler)
    try:
        install_database_value_filter()
        with caplog.at_level(logging.ERROR):
            response = app.test_client().get("/caf/login")
    finally:
        logging.getLogger().removeHandler(handler)
    assert response.status_code == 500
    logged = written.getvalue() + caplog.text + "".join("".join(
        traceback.format_exception(*r.exc_info)) for r in caplog.records if r.exc_info)
    assert "IntegrityError" in logged
    for value in (INDEX, EMAIL):
        assert value not in logged and value not in response.get_data(as_text=True)


RAW = ('(psycopg.errors.UniqueViolation) duplicate key value violates unique constraint "uq_x"\n'
       f"DETAIL:  Key (tenant, email)=(caf, {EMAIL}) already exists.\n"
       "[SQL: INSERT INTO x (tenant, email) VALUES (%(tenant)s, %(email)s)]\n"
       f"[parameters: {{'tenant': 'caf', 'email': '{EMAIL}', 'nir': '{NIR}'}}]\n"
       "(Background on this error at: https://sqlalche.me/e/21/gkpj)")


def _through_filter(log_call) -> str:
    from idp.web.logredact import install_database_value_filter

    logger = logging.getLogger("test.database_errors")
    logger.propagate = False
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    logger.addHandler(handler)
    install_database_value_filter(logger)
    try:
        log_call(logger)
    finally:
        logger.removeHandler(handler)
    return written.getvalue()


def test_the_log_filter_redacts_a_raw_line_and_traceback():
    """An exception that never went through an engine (a raw driver, another library's engine
    without hide_parameters): the handler still writes no value."""
    def log_it(logger):
        logger.error("insert failed: %s", RAW)
        try:
            raise RuntimeError(RAW + '\nDETAIL:  Failing row contains (1, caf, camille.secret@example.fr).')
        except RuntimeError:
            logger.exception("insert failed")

    written = _through_filter(log_it)
    assert EMAIL not in written and NIR not in written
    assert "DETAIL:  [withheld]" in written and "[parameters withheld]" in written
    assert 'unique constraint "uq_x"' in written and "[SQL: INSERT INTO x" in written


def test_the_log_filter_redacts_a_raw_psycopg_error(backend):
    if backend != "postgresql":
        pytest.skip("a raw psycopg connection")
    import psycopg

    from support import POSTGRES_URL

    with psycopg.connect(POSTGRES_URL.replace("postgresql+psycopg", "postgresql")) as connection:
        connection.execute("CREATE TEMPORARY TABLE dup (email text UNIQUE)")
        connection.execute("INSERT INTO dup VALUES (%s)", (EMAIL,))
        with pytest.raises(psycopg.errors.UniqueViolation) as raised:
            connection.execute("INSERT INTO dup VALUES (%s)", (EMAIL,))
    assert EMAIL in str(raised.value)   # what the driver says on its own

    def log_it(logger):
        try:
            raise raised.value
        except psycopg.Error:
            logger.exception("raw driver")

    written = _through_filter(log_it)
    assert "UniqueViolation" in written and EMAIL not in written


def test_other_errors_keep_their_text(app):
    """A missing table (an operator's mistake, no person's value) keeps its names."""
    from idp.store.db import db

    with app.app_context():
        with pytest.raises(sa.exc.SQLAlchemyError) as raised:
            db.session.execute(sa.text('SELECT * FROM "no_such_table_here"'))
        db.session.rollback()
    assert "no_such_table_here" in str(raised.value)
