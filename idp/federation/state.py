"""What the FranceConnect journey keeps between requests, server-side and sealed, behind a
cookie scoped to the tenant (it uses the ``signups`` table: sealed data and a deadline):

- ``REDIRECT``: from the button to FranceConnect's callback, the state, nonce and PKCE
  verifier sent, and the relying party's pending request. The verifier must not reach the
  browser (RFC 7636 §7.1), so it is not in Flask's cookie session.
- ``PARKED``: from the callback to the account it leads to (a link to prove, or an account
  to complete), the upstream identity, which holds personal data and FranceConnect's ID
  token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, request

from idp.store.db import db, digest, new_secret, scoped_first, utcnow
from idp.store.models import Signup
from idp.security.vault import vault


@dataclass(frozen=True)
class Slot:
    cookie: str
    step: str
    ttl: int


# FranceConnect's own session lasts 30 minutes (franceconnect.md §4): a redirect older than
# that is refused. An identity waiting for its account is kept 10 minutes only, so that a
# journey abandoned on a shared device cannot be finished by the next person.
REDIRECT = Slot("idp_franceconnect_redirect", "franceconnect_redirect", 1800)
PARKED = Slot("idp_franceconnect", "franceconnect", 600)
TTL = REDIRECT.ttl


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


def park(data: dict, slot: Slot = PARKED) -> str:
    """Store ``data``; returns the cookie value."""
    handle = new_secret(24)
    row = Signup(tenant=g.tenant.slug, id=digest(handle), step=slot.step, interaction_handle=data.get("interaction"),
                 data_sealed=vault().seal(g.tenant.slug, json.dumps(data)),
                 expires_at=utcnow() + timedelta(seconds=slot.ttl))
    db.session.add(row)
    db.session.commit()
    return handle


def load(slot: Slot = PARKED) -> Parked | None:
    handle = request.cookies.get(slot.cookie)
    if not handle:
        return None
    row = scoped_first(Signup, id=digest(handle))
    if row is None or row.step != slot.step or row.expires_at <= utcnow():
        return None
    return Parked(row, json.loads(vault().unseal(row.tenant, row.data_sealed)))


def discard(parked: Parked, commit: bool = True) -> None:
    db.session.delete(parked.row)
    if commit:
        db.session.commit()


def set_cookie(response, handle: str, slot: Slot = PARKED) -> None:
    secure = current_app.config["IDP_SETTINGS"].server.public_url.startswith("https://")
    response.set_cookie(slot.cookie, handle, path=f"/{g.tenant.slug}/", httponly=True, samesite="Lax",
                        secure=secure, max_age=slot.ttl)


def clear_cookie(response, slot: Slot = PARKED) -> None:
    response.delete_cookie(slot.cookie, path=f"/{g.tenant.slug}/")
