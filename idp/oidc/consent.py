"""What a person consents to: scopes, and claims asked by name (OIDC Core §3.1.2.4, §5.5).

- **Registered for a claim.** A client is registered for scopes (``clients add --scope``),
  as Keycloak clients are for client scopes; it is registered for a claim when one of its
  registered scopes releases that claim, in the scope table of its profile
  (:data:`~idp.oidc.claims.SCOPE_CLAIMS`, or FranceConnect's). A claim asked through the
  ``claims`` parameter beyond that is dropped from the request before anything is stored
  or shown (§5.5 lets the OP not return a claim, even an essential one). Claims about the
  authentication itself (``acr``, ``auth_time``…) are not the person's data and stay.
- **Consent in words.** Claims asked by name that the requested scopes do not already
  release are listed on the consent page, each in words, and recorded as granted
  (``Consent.claims``) beside the scopes.
- **Remembered consent** covers a request when it holds every requested scope and every
  claim asked by name (granted by name, or released by a granted scope); otherwise the
  consent page asks again, and ``prompt=none`` gets ``consent_required``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import g

from ..db import db, insert_missing, scoped, scoped_first
from ..models import Consent
from .claims import SCOPE_CLAIMS, names_for_scope, requested_claims

log = logging.getLogger("idp.consent")
# claims about the authentication, not about the person: never consented to, never dropped
PROTOCOL_CLAIMS = frozenset({"iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash"})
TARGETS = ("userinfo", "id_token")


@dataclass(frozen=True)
class Asked:
    """What a request needs consent for: its scopes, and claims asked beyond them."""

    scopes: tuple[str, ...]
    claims: tuple[str, ...]


def registered_claims(client) -> set[str]:
    """Every claim the client's registered scopes release."""
    return names_for_scope(client.row.scope, client.profile)


def limit_to_registered(claims_request: dict | None, client) -> dict | None:
    """The ``claims`` request without the claims the client is not registered for."""
    if not claims_request:
        return claims_request
    allowed = registered_claims(client) | PROTOCOL_CLAIMS
    limited, dropped = dict(claims_request), set()
    for target in TARGETS:
        section = claims_request.get(target)
        if isinstance(section, dict):
            limited[target] = {name: value for name, value in section.items() if name in allowed}
            dropped |= set(section) - allowed
    if dropped:  # why a client does not get what it asked; a count, the names are free text
        log.info("claims_not_registered tenant=%s client=%s count=%d",
                 g.tenant.slug, client.get_client_id(), len(dropped))
    return limited


def asked(client, scope: str | None, claims_request: dict | None) -> Asked:
    """The consent a request needs, with ``claims_request`` already limited."""
    scopes = tuple(s for s in client.get_allowed_scope(scope or "").split()
                   if s in SCOPE_CLAIMS or s == "offline_access")
    by_name = set().union(*(requested_claims(claims_request, t) for t in TARGETS))
    beyond = by_name - PROTOCOL_CLAIMS - {"sub"} - names_for_scope(" ".join(scopes), client.profile)
    return Asked(scopes, tuple(sorted(beyond & registered_claims(client))))


def granted_to(account_id: str, client) -> Consent | None:
    return scoped_first(Consent, account_id=account_id, client_id=client.get_client_id())


def covers(granted: Consent | None, needed: Asked, client) -> bool:
    if granted is None or not set(needed.scopes) <= set(granted.scopes or []):
        return False
    released = names_for_scope(" ".join(granted.scopes or []), client.profile) | set(granted.claims or [])
    return set(needed.claims) <= released


def record(account_id: str, client, given: Asked) -> None:
    """Add what the person just allowed to what they had allowed (committed by the caller).

    Two submissions at the same instant (a double click, two tabs) both land: the row is
    created unless it exists (no unique-constraint error, where check-then-insert raised
    one), then read locked (``FOR UPDATE`` on PostgreSQL; SQLite has one writer) and merged,
    so neither submission's scopes are lost."""
    key = {"account_id": account_id, "client_id": client.get_client_id()}
    insert_missing(Consent, ("tenant", "account_id", "client_id"), tenant=g.tenant.slug, **key,
                   scopes=[], claims=[])
    granted = db.session.execute(
        scoped(Consent, **key).with_for_update().execution_options(populate_existing=True)).scalar_one()
    granted.scopes = sorted(set(granted.scopes or []) | set(given.scopes))
    granted.claims = sorted(set(granted.claims or []) | set(given.claims))
