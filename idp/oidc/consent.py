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
- **Remembered consent covers what was shown.** The page lists only the data the account
  holds (a scope's label would promise what it lacks), so consent is recorded claim by claim
  as shown (``Consent.claims``: every claim listed on the page the person allowed, by scope
  or by name), not just per scope. It covers a request when it holds every requested scope
  and every claim the request would release now (:func:`releasable`: the account's data
  under the requested scopes and claims asked by name). A claim the account gained since
  (a phone added) was never shown: the consent page asks again, listing it, and
  ``prompt=none`` gets ``consent_required`` (as Keycloak re-asks for a client scope not yet
  granted). Asking again, rather than releasing only the granted claims, keeps the
  relying party's view of the person and the person's own in step. Consents recorded
  before this (scope-level) are asked again once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import g

from idp.security.audit import audit
from idp.store.db import db, insert_missing, scoped, scoped_first
from idp.store.models import Consent, RefreshToken
from idp.oidc.claims import SCOPE_CLAIMS, account_claims, names_for_scope, requested_claims
from idp.oidc.tokens import revoke_family

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
        audit("claims.not_registered", client_id=client.get_client_id(), count=len(dropped))
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


def releasable(account, client, needed: Asked) -> set[str]:
    """The person's data ``needed`` would release from ``account``, as the consent page lists
    it: held claims of the scopes and of those asked by name (``sub`` is the identification
    itself; a ``*_verified`` flag goes with its claim)."""
    if account is None:
        return set()
    wanted = names_for_scope(" ".join(needed.scopes), client.profile) | set(needed.claims)
    return {c for c in wanted & set(account_claims(account)) if c != "sub" and not c.endswith("_verified")}


def covers(granted: Consent | None, needed: Asked, client, account) -> bool:
    if granted is None or not set(needed.scopes) <= set(granted.scopes or []):
        return False
    return releasable(account, client, needed) <= set(granted.claims or [])


def give(account, client, needed: Asked, shown: set[str]) -> None:
    """The person allowed ``needed`` on a page that listed ``shown``: record it, limited to
    what the account holds now (:func:`releasable`), in the request's transaction."""
    record(account.id, client, needed, shown & releasable(account, client, needed))


def withdraw(account_id: str, client_id: str) -> bool:
    """The person revokes a consent (/account): the consent goes, and with it every token the
    client holds for them (refresh families and their access tokens), in the request's one
    transaction: committed apart, a crash left the tokens of a withdrawn consent alive.
    Returns whether there was a consent."""
    consent = scoped_first(Consent, account_id=account_id, client_id=client_id)
    if consent is None:
        return False
    db.session.delete(consent)
    families = db.session.execute(scoped(RefreshToken, account_id=account_id, client_id=client_id)
                                  .with_only_columns(RefreshToken.family_id).distinct()).scalars().all()
    for family in families:
        revoke_family(family, "consent_revoked", commit=False)
    audit("consent.withdrawn", account=account_id, client_id=client_id, token_families_revoked=len(families))
    return True


def record(account_id: str, client, given: Asked, shown: set[str]) -> None:
    """Add what the person just allowed to what they had allowed (committed by the caller):
    the scopes, and the claims ``shown`` on the page they allowed.

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
    granted.claims = sorted(set(granted.claims or []) | set(shown))
    audit("consent.given", account=account_id, client_id=client.get_client_id(), scopes=" ".join(sorted(given.scopes)))
