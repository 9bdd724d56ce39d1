"""Which account an upstream identity is.

As betagouv's FranceConnect guidance says (franceconnect.md §5, "Reconciliation"): first the
link already made (provider + ``sub``); then the identité pivot, never the email alone. A
match on the pivot is only a candidate: the person proves they own the account by logging
in locally before the link is written (so a namesake born the same day in the same town
cannot take over an account). Otherwise a new account is created from the pivot, whose
fields then stay read-only (they come from the civil registry through FranceConnect).
"""

from __future__ import annotations

from datetime import datetime, timezone

from policies import cog
from policies.identifiers.nir_birth import same_commune

from flask import g

from idp.security.audit import audit
from idp.store.db import db, scoped, scoped_all, scoped_first, utcnow
from idp.store.models import Account, FederatedIdentity
from idp.clients import franceconnect_fi
from idp.security.vault import vault
from idp.federation.provider import PROVIDER
from idp.accounts.service import account_identifier
from idp.federation.checks import given_names_agree, mismatch, normalise_name
from idp.accounts import credentials

PIVOT = ("given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry")
FRANCE = cog.FRANCE


def linked_account(subject: str, provider: str = PROVIDER) -> tuple[Account | None, FederatedIdentity | None]:
    link = scoped_first(FederatedIdentity, provider=provider, subject=subject)
    if link is None:
        return None, None
    return scoped_first(Account, id=link.account_id), link


def links_of(account: Account, provider: str = PROVIDER) -> list[FederatedIdentity]:
    """The account's links to ``provider`` (shown, and removable, in /account)."""
    return scoped_all(FederatedIdentity, account_id=account.id, provider=provider)


def account_pivot(account: Account) -> dict:
    """The local account's identité pivot, in FranceConnect's formats ("" when unknown)."""
    profile = account.profile or {}
    born = franceconnect_fi.birth(profile.get("birthplace"), profile.get("birthcountry"))
    return {"given_name": account.given_name or "", "family_name": account.family_name or "",
            "birthdate": account.birthdate or "",
            "gender": franceconnect_fi.gender(profile.get("gender") or profile.get("civility")) or "",
            "birthplace": born.get("birthplace", ""), "birthcountry": born.get("birthcountry", "")}


def _nir_parts(account: Account):
    """The fields of the account's NIR, for a tenant identified by NIR (else None)."""
    scheme = g.tenant.identifier_scheme
    if not scheme.name.startswith("nir"):
        return None
    return scheme.decode(account_identifier(account))


def agrees(account: Account, pivot: dict) -> bool:
    """Names and birthdate must agree; then everything else the account knows: the sex,
    place and country of birth of its profile, and those its NIR says (sex, year, month,
    commune or country of birth, :func:`.checks.mismatch`), since most accounts never typed
    them but all of a NIR tenant's carry them in their number."""
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
    already = scoped(FederatedIdentity, provider=PROVIDER).with_only_columns(FederatedIdentity.account_id)
    rows = db.session.execute(scoped(Account, birthdate=pivot["birthdate"], status="active").where(
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
    reachable = (account.email and account.email_verified) or \
        (account.phone_number and (account.profile or {}).get("phone_number_verified"))
    if not reachable:
        audit("franceconnect.link_notice", "failure", reason="no_verified_contact", account=account.id)
    credentials.tell(account, "franceconnect_linked", {})
