"""What the FranceConnect journey keeps between requests, server-side and sealed, behind a
cookie scoped to the tenant (pending state, :mod:`idp.store.pending`, of two kinds):

- ``REDIRECT``: from the button to FranceConnect's callback, the state, nonce and PKCE
  verifier sent, and the relying party's pending request. The verifier must not reach the
  browser (RFC 7636 §7.1), so it is not in Flask's cookie session.
- ``PARKED``: from the callback to the account it leads to (a link to prove, or an account
  to complete), the upstream identity, which holds personal data and FranceConnect's ID
  token.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from idp.store import pending
from idp.web.cookies import clear_tenant_cookie, set_tenant_cookie


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


KIND = "franceconnect"   # what this journey's pending rows are (idp.store.pending)


@dataclass
class Parked(pending.Pending):
    @property
    def identity(self) -> dict:
        return self.data["identity"]

    @property
    def pivot(self) -> dict:
        return self.data["pivot"]

    @property
    def interaction(self) -> str | None:
        return self.data.get("interaction")


def park(data: dict, slot: Slot = PARKED) -> str:
    """Store ``data``; returns the cookie value."""
    return pending.keep(data, slot.ttl, step=slot.step, interaction_handle=data.get("interaction"), kind=KIND)[1]


def load(slot: Slot = PARKED) -> Parked | None:
    found = pending.find(request.cookies.get(slot.cookie), step=slot.step, kind=KIND)
    return Parked(found.row, found.data, KIND) if found else None


def discard(parked: Parked, commit: bool = True) -> None:
    pending.discard(parked, commit)


def set_cookie(response, handle: str, slot: Slot = PARKED) -> None:
    set_tenant_cookie(response, slot.cookie, handle, slot.ttl)


def clear_cookie(response, slot: Slot = PARKED) -> None:
    clear_tenant_cookie(response, slot.cookie)
