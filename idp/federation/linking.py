"""Which account an upstream identity is.

As betagouv's FranceConnect guidance says (franceconnect.md §5, "Reconciliation"): first the
link already made (provider + ``sub``); then the identité pivot, never the email alone. A
match on the pivot is only a candidate: the person proves they own the account by logging
in locally before the link is written (so a namesake born the same day in the same town
cannot take over an account). Otherwise a new account is created from the pivot, whose
fields then stay read-only (they come from the civil registry through FranceConnect).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from anyascii import anyascii
from policies import cog
from policies.identifiers.nir_birth import same_commune
from sqlalchemy import select

from flask import g

from idp.security.audit import audit
from idp.store.db import db, scoped_first, utcnow
from idp.store.models import Account, FederatedIdentity
from idp.oidc import franceconnect_fi
from idp.security.vault import vault
from idp.federation.provider import PROVIDER

PIVOT = ("given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry")
FRANCE = cog.FRANCE


def normalise_name(value: str | None) -> str:
    """Case, accents, hyphens and apostrophes do not tell two people apart."""
    text = anyascii(value or "").casefold()
    return " ".join(re.sub(r"[^a-z]+", " ", text).split())


def linked_account(subject: str, provider: str = PROVIDER) -> tuple[Account | None, FederatedIdentity | None]:
    link = scoped_first(FederatedIdentity, provider=provider, subject=subject)
    if link is None:
        return None, None
    return scoped_first(Account, id=link.account_id), link


def account_pivot(account: Account) -> dict:
    """The local account's identité pivot, in FranceConnect's formats ("" when unknown)."""
    profile = account.profile or {}
    born = franceconnect_fi.birth(profile.get("birthplace"), profile.get("birthcountry"))
    return {"given_name": account.given_name or "", "family_name": account.family_name or "",
            "birthdate": account.birthdate or "",
            "gender": franceconnect_fi.gender(profile.get("gender") or profile.get("civility")) or "",
            "birthplace": born.get("birthplace", ""), "birthcountry": born.get("birthcountry", "")}


def _first_names(text: str) -> list[list[str]]:
    """``"Jean-Noël, Théo"`` → ``[["jean", "noel"], ["theo"]]``: each first name, and the
    parts a hyphen (or a space a registry put in its place) joins into a compound one."""
    return [parts for parts in (normalise_name(name).split() for name in (text or "").replace(",", " ").split())
            if parts]


def given_names_agree(local: str, upstream: str) -> bool:
    """The account's first names are FranceConnect's, or its first ones (an account often
    holds only the usual first name, FranceConnect always gives them all).

    Hyphens and spaces between the parts of a compound first name are not told apart
    ("Jean Noël" is "Jean-Noël"), since registries and forms write them either way; but the
    account's names must end where one of FranceConnect's ends: "Jean" is not the first
    name of "Jean-Noël Théo", whose first first name is "Jean-Noël"."""
    local_names, upstream_names = _first_names(local), _first_names(upstream)
    local_parts = [part for name in local_names for part in name]
    upstream_parts = [part for name in upstream_names for part in name]
    if not local_parts or local_parts != upstream_parts[:len(local_parts)]:
        return False
    ends, count = set(), 0
    for name in upstream_names:
        count += len(name)
        ends.add(count)
    return len(local_parts) in ends


def _nir_parts(account: Account):
    """The fields of the account's NIR, for a tenant identified by NIR (else None)."""
    from idp.accounts.service import account_identifier

    scheme = g.tenant.identifier_scheme
    if not scheme.name.startswith("nir"):
        return None
    return scheme.decode(account_identifier(account))


def agrees(account: Account, pivot: dict) -> bool:
    """Names and birthdate must agree; then everything else the account knows: the sex,
    place and country of birth of its profile, and those its NIR says (sex, year, month,
    commune or country of birth, :func:`.checks.mismatch`), since most accounts never typed
    them but all of a NIR tenant's carry them in their number."""
    from idp.federation.checks import mismatch

    local = account_pivot(account)
    if not local["birthdate"] or local["birthdate"] != pivot.get("birthdate"):
        return False
    if normalise_name(local["family_name"]) != normalise_name(pivot.get("family_name")):
        return False
    if not given_names_agree(local["given_name"], pivot.get("given_name", "")):
        return False
    for name in ("gender", "birthcountry"):
        if local[name] and pivot.get(name) and local[name] != pivot[name]:
            return False
    if local["birthplace"] and pivot.get("birthplace") and not same_commune(local["birthplace"], pivot["birthplace"]):
        return False
    parts = _nir_parts(account)
    return parts is None or mismatch(parts, pivot) is None


def matching_accounts(pivot: dict) -> list[Account]:
    """Active accounts of the tenant whose identity agrees with the pivot, not yet linked
    to this provider (an account has at most one FranceConnect link)."""
    if not pivot.get("birthdate"):
        return []
    already = select(FederatedIdentity.account_id).where(
        FederatedIdentity.tenant == g.tenant.slug, FederatedIdentity.provider == PROVIDER)
    rows = db.session.execute(select(Account).where(
        Account.tenant == g.tenant.slug, Account.birthdate == pivot["birthdate"], Account.status == "active",
        Account.id.not_in(already))).scalars()
    return [account for account in rows if agrees(account, pivot)]


def candidates(account_ids) -> list[Account]:
    """The accounts of this tenant a callback found matching (ids parked with the identity)."""
    return [account for account in (scoped_first(Account, id=i) for i in account_ids or []) if account is not None]


def refusal_to_link(chosen: Account, among: list[Account], pivot: dict) -> str | None:
    """Why the account just logged in to may not take this FranceConnect identity (the audit
    reason), else None: it must be one of the candidates, agree with the identité pivot
    (a namesake's password proves nothing about this person) and have no link yet."""
    if chosen.id not in {account.id for account in among} or not agrees(chosen, pivot):
        return "other_account"
    if linked_elsewhere(chosen):
        return "already_linked"
    return None


def linked_elsewhere(account: Account, provider: str = PROVIDER) -> bool:
    """The account already has a link to this provider (at most one per account)."""
    return scoped_first(FederatedIdentity, provider=provider, account_id=account.id) is not None


def link(account: Account, subject: str, provider: str = PROVIDER) -> FederatedIdentity:
    """Write the link (committed by the caller, with the session it opens)."""
    row = FederatedIdentity(tenant=g.tenant.slug, provider=provider, subject=subject, account_id=account.id,
                            last_login_at=utcnow())
    db.session.add(row)
    profile = dict(account.profile or {})
    profile["franceconnect_linked_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    account.profile = profile
    return row


def new_account(pivot: dict, identifier: str, *, email: str, email_verified: bool,
                preferred_username: str = "", consents: dict | None = None) -> Account:
    """An account from the identité pivot, without a password (one may be added later from
    the account page); not committed."""
    tenant = g.tenant.slug
    profile = {"gender": pivot.get("gender") or None, "birthplace": pivot.get("birthplace") or None,
               "birthcountry": pivot.get("birthcountry") or None, "origin": PROVIDER,
               "pivot_locked": True, "consents": consents or {}}
    if preferred_username:
        profile["usage_name"] = preferred_username
    account = Account(tenant=tenant, identifier_index=vault().index(tenant, identifier),
                      identifier_sealed=vault().seal(tenant, identifier), status="active", password_hash=None,
                      email=email, email_verified=email_verified, given_name=pivot.get("given_name"),
                      family_name=pivot.get("family_name"), birthdate=pivot.get("birthdate"),
                      profile={k: v for k, v in profile.items() if v is not None})
    db.session.add(account)
    db.session.flush()
    return account


def tell_linked(account: Account) -> None:
    """Tell the holder of an existing account that FranceConnect was linked to it (verified
    email, else verified mobile), so that a link someone else made with their password is
    noticed; the message says how to remove it."""
    from idp.accounts import credentials

    reachable = (account.email and account.email_verified) or \
        (account.phone_number and (account.profile or {}).get("phone_number_verified"))
    if not reachable:
        audit("franceconnect.link_notice", "failure", reason="no_verified_contact", account=account.id)
    credentials.tell(account, "franceconnect_linked", {})
