"""Error pages and answers (idp/web/errors.py): a database or Redis outage is a 503 "try again",
any other failure a 500 in the site's layout (JSON on protocol endpoints), with one log
line or one traceback and never a second one from the response headers."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest

from helpers import authorize, make_client, page_text


@contextmanager
def database_down(app):
    """Every new connection refused by the driver itself, as when the server is stopped."""
    from sqlalchemy import event

    from idp.store.db import db

    with app.app_context():
        engine = db.engine
    refused = engine.dialect.loaded_dbapi.OperationalError

    def refuse(*args, **kwargs):
        raise refused("connection refused (database stopped)")

    event.listen(engine, "do_connect", refuse)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "do_connect", refuse)
        engine.dispose()


@pytest.fixture
def failures_shown(app, monkeypatch):
    """Unhandled exceptions answered as in production (the test app re-raises them)."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    return app


def _replace_view(app, monkeypatch, endpoint, view):
    monkeypatch.setitem(app.view_functions, endpoint, view)


def test_database_outage_is_503_json_on_protocol_endpoints(http, app, caplog):
    client_id, secret = make_client(app)
    with database_down(app):
        # (discovery and JWKS keep their last good copy through an outage: idp/oidc/published.py)
        for response in (http.post("/caf/introspect", data={"token": "x"}, auth=(client_id, secret)),
                         http.post("/caf/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))):
            assert response.status_code == 503 and response.headers["Retry-After"] == "30"
            assert response.headers["Cache-Control"] == "no-store"
            assert response.get_json() == {"error": "temporarily_unavailable",
                                           "error_description": "The service is temporarily unavailable, try again later."}
    lines = [r for r in caplog.records if r.name == "idp.errors"]
    assert [r.getMessage() for r in lines] == [
        "service_unavailable endpoint=oidc.introspect cause=OperationalError detail=connection refused (database stopped)",
        "service_unavailable endpoint=oidc.token cause=OperationalError detail=connection refused (database stopped)"]
    assert not any(r.exc_info for r in caplog.records)


def test_database_outage_is_a_french_page_saying_try_again(http, app, caplog):
    client_id, _ = make_client(app)
    with database_down(app):
        response = authorize(http, "caf", client_id)
        english = authorize(http, "caf", client_id, lang="en")
    text = page_text(response)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "<title>Service momentanément indisponible – Caf – Mon Compte</title>" in text
    assert "Le service est temporairement indisponible." in text and "Réessayez dans quelques instants." in text
    assert 'class="fr-header"' in text and ">Réessayer</a>" in text
    assert english.status_code == 503 and "Service temporarily unavailable" in page_text(english)
    assert "Try again in a few moments." in page_text(english)
    assert not any(r.exc_info or "PendingRollbackError" in r.getMessage() for r in caplog.records)


def test_service_comes_back_when_the_database_does(http, app):
    client_id, secret = make_client(app)

    def token():
        return http.post("/caf/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))

    with database_down(app):
        assert token().status_code == 503
    assert token().status_code == 200


def test_redis_outage_is_503(http, app, monkeypatch):
    import redis

    # The shared counters fall back to memory (tests/idp/test_counters_fallback.py); any
    # other use of Redis that fails (connection refused, as when it is stopped) is a 503.
    dead = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)

    def counted():
        dead.incr("x")
        return "unreachable"

    _replace_view(app, monkeypatch, "oidc.introspect", counted)
    _replace_view(app, monkeypatch, "accounts.direct_login", counted)
    api = http.post("/caf/introspect", data={"token": "x"})
    assert api.status_code == 503 and api.get_json()["error"] == "temporarily_unavailable"
    page = http.get("/caf/login")
    assert page.status_code == 503 and "Service momentanément indisponible" in page_text(page)


def test_unexpected_error_is_a_french_500_with_one_traceback(http, app, failures_shown, monkeypatch, caplog):
    """A failed statement on a page with an authorization pending: one traceback (Flask's),
    no second one from the CSP header reading the interaction through the failed session."""
    from sqlalchemy.exc import IntegrityError

    from idp.store.db import db
    from idp.store.models import Consent

    client_id, _ = make_client(app)
    login_page = authorize(http, "caf", client_id).headers["Location"]   # sets the interaction cookie

    def failing(**view_args):
        for _ in range(2):
            db.session.add(Consent(tenant="caf", account_id="a", client_id="c", scopes=[]))
        db.session.flush()   # uq_consents_tenant: IntegrityError, the session needs a rollback
        return "unreachable"

    _replace_view(app, monkeypatch, "accounts.login", failing)
    caplog.set_level(logging.INFO)
    response = http.get(login_page)
    text = page_text(response)
    assert response.status_code == 500
    assert "<title>Erreur inattendue – Caf – Mon Compte</title>" in text
    assert "Désolé, le service rencontre un problème." in text
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1 and tracebacks[0].exc_info[0] is IntegrityError
    assert not any("PendingRollbackError" in r.getMessage() or "form-action" in r.getMessage()
                   for r in caplog.records)
    assert "form-action 'self'" in response.headers["Content-Security-Policy"]


def test_unexpected_error_on_a_protocol_endpoint_is_server_error(http, app, failures_shown, monkeypatch):
    def failing():
        raise RuntimeError("bug")

    _replace_view(app, monkeypatch, "oidc.introspect", failing)
    response = http.post("/caf/introspect", data={"token": "x"})
    assert response.status_code == 500
    assert response.get_json() == {"error": "server_error",
                                   "error_description": "The server encountered an unexpected error."}


def test_the_traceback_line_has_no_activation_token(http, app, failures_shown, monkeypatch, caplog):
    def failing(verification_id, token):
        raise RuntimeError("bug")

    _replace_view(app, monkeypatch, "signup.activate_link", failing)
    assert http.get("/caf/signup/activate/v1/s3cr3t-t0ken").status_code == 500
    lines = [r.getMessage() for r in caplog.records if r.exc_info]
    assert lines == ["Exception on /caf/signup/activate/v1/[…] [GET]"]


def test_failed_statements_do_not_carry_their_parameters(app):
    """Tracebacks quote the failed SQL: never with the values (emails, digests, sealed data)."""
    from sqlalchemy.exc import IntegrityError

    from idp.store.db import db
    from idp.store.models import Consent

    with app.app_context():
        for _ in range(2):
            db.session.add(Consent(tenant="caf", account_id="secret-account", client_id="c", scopes=[]))
        with pytest.raises(IntegrityError) as failed:
            db.session.flush()
        db.session.rollback()
    # (PostgreSQL's own DETAIL line may still quote a duplicate key: that is the server's text)
    assert "[parameters:" not in str(failed.value)
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(failed.value)
