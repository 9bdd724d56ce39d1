"""/healthz: 200 when the database (and Redis, when configured) answer, 503 otherwise."""

from __future__ import annotations


def test_healthz_ok(http, backend):
    response = http.get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert ("redis" in body) == (backend == "postgresql")   # the PostgreSQL runs share Redis counters


def test_healthz_unavailable_when_the_database_fails(http, app, monkeypatch):
    from idp.store.db import db

    def broken(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(db.session, "execute", broken)
    response = http.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"] == "unavailable"
