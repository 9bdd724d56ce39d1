"""``GET /healthz``: is this worker able to serve? For load balancers, monitoring, and the
"status URL" FranceConnect asks of its identity providers (franceconnect.md §7).

It checks what a login needs: the database answers, and Redis when one is configured. It
says nothing about accounts or configuration beyond "ok" / "unavailable", and, for Redis, the
kind of failure (``reason``): logins still work on per-process counters then
(idp/security/counters.py), but several workers no longer share them, which operators must know."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from idp.store.db import db

bp = Blueprint("health", __name__)
log = logging.getLogger("idp.health")


def _database() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception as error:   # any failure means "not ready"; the reason goes to the log only
        log.warning("health: database unavailable (%s)", type(error).__name__)
        db.session.rollback()
        return False


@bp.route("/healthz")
def healthz():
    redis = current_app.extensions["idp_counters"].health()   # None: no Redis configured
    checks = {"database": _database(), "redis": None if redis is None else redis[0]}
    ready = all(value is not False for value in checks.values())
    body = {"status": "ok" if ready else "unavailable",
            **{name: ("ok" if value else "unavailable") for name, value in checks.items() if value is not None}}
    if redis is not None and not redis[0]:
        body["reason"] = f"redis: {redis[1]}"
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
