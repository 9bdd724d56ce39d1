"""Between FranceConnect's callback and the account it leads to (a link to prove, or an
account to complete), the upstream identity waits server-side, sealed, behind a cookie
scoped to the tenant: it holds personal data and FranceConnect's ID token, which must not
travel in a cookie. It uses the ``signups`` table (same shape: sealed data, a deadline)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, request

from ..db import db, digest, new_secret, scoped_first, utcnow
from ..models import Signup
from ..protection import vault

COOKIE = "idp_franceconnect"
# FranceConnect's own session lasts 30 minutes (franceconnect.md §4): a redirect older than
# that is refused. An identity waiting for its account is kept 10 minutes only, so that a
# journey abandoned on a shared device cannot be finished by the next person.
TTL = 1800
PARKED_TTL = 600
STEP = "franceconnect"


@dataclass
class Parked:
    row: Signup
    data: dict

    @property
    def identity(self) -> dict:
        return self.data["identity"]

    @property
    def pivot(self) -> dict:
        return self.data["pivot"]

    @property
    def interaction(self) -> str | None:
        return self.data.get("interaction")

    def save(self) -> None:
        self.row.data_sealed = vault().seal(self.row.tenant, json.dumps(self.data))
        db.session.commit()


def park(data: dict) -> str:
    """Store ``data``; returns the cookie value."""
    handle = new_secret(24)
    row = Signup(tenant=g.tenant.slug, id=digest(handle), step=STEP, interaction_handle=data.get("interaction"),
                 data_sealed=vault().seal(g.tenant.slug, json.dumps(data)),
                 expires_at=utcnow() + timedelta(seconds=PARKED_TTL))
    db.session.add(row)
    db.session.commit()
    return handle


def load() -> Parked | None:
    handle = request.cookies.get(COOKIE)
    if not handle:
        return None
    row = scoped_first(Signup, id=digest(handle))
    if row is None or row.step != STEP or row.expires_at <= utcnow():
        return None
    return Parked(row, json.loads(vault().unseal(row.tenant, row.data_sealed)))


def discard(parked: Parked, commit: bool = True) -> None:
    db.session.delete(parked.row)
    if commit:
        db.session.commit()


def set_cookie(response, handle: str) -> None:
    secure = current_app.config["IDP_SETTINGS"].server.public_url.startswith("https://")
    response.set_cookie(COOKIE, handle, path=f"/{g.tenant.slug}/", httponly=True, samesite="Lax",
                        secure=secure, max_age=PARKED_TTL)


def clear_cookie(response) -> None:
    response.delete_cookie(COOKIE, path=f"/{g.tenant.slug}/")
