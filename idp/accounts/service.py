"""Account creation shared by the operator CLI, the demo and (later) the signup journeys."""

from __future__ import annotations

from idp.web.i18n import tr

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from idp.store.db import db, scoped, scoped_first
from idp.store.models import Account
from idp.security.passwords import hasher_for
from idp.security.vault import vault


@dataclass
class AccountResult:
    account: Account | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)   # field -> French messages
    codes: list[str] = field(default_factory=list)


def find_account(tenant_slug: str, normalised_identifier: str) -> Account | None:
    """The account of a normalised identifier, through its blind index."""
    index = vault().index(tenant_slug, normalised_identifier)
    return scoped_first(Account, tenant_slug, identifier_index=index)


def accounts_named(tenant, typed: str) -> list[Account]:
    """The accounts a support desk finds from what a person types: their identifier (NIR,
    prénom.nom), normalised by the tenant's scheme and looked up through its blind index, or
    their email (the indexed ``lower(email)``); never a scan."""
    typed = typed.strip()
    checked = tenant.identifier_scheme.check(typed)
    if checked.passing:
        found = find_account(tenant.slug, checked.value)
        if found is not None:
            return [found]
    if "@" in typed:
        return list(db.session.execute(scoped(Account, tenant.slug).where(
            db.func.lower(Account.email) == typed.lower()).limit(10)).scalars())
    return []


def email_in_use(email: str, except_account: str | None = None) -> bool:
    """Another account of the current tenant already has this email (case-insensitive)."""
    query = scoped(Account).where(db.func.lower(Account.email) == email.lower()).with_only_columns(Account.id)
    if except_account:
        query = query.where(Account.id != except_account)
    return db.session.execute(query.limit(1)).first() is not None


def account_identifier(account: Account) -> str:
    """The clear identifier, for its owner only (mask it anywhere else)."""
    return vault().unseal(account.tenant, account.identifier_sealed)


def create_account(settings, tenant, identifier: str, password: str, *, email=None, given_name=None,
                   family_name=None, birthdate=None, status="active") -> AccountResult:
    """Validate with the tenant's policies, then write the account, or write nothing."""
    result = AccountResult()
    checked = tenant.identifier_scheme.check(identifier)
    if not checked.passing:
        result.errors["identifier"] = [tr(m) for m in checked.messages]
        result.codes += [m.code for m in checked.messages]
        return result
    names = [n for n in (given_name, family_name) if n]
    verdict = tenant.password_policy.check(password, identifier=checked.value, names=names)
    if not verdict.passing:
        result.errors["password"] = [tr(m) for m in verdict.messages]
        result.codes += [m.code for m in verdict.messages]
    if birthdate:
        try:
            dt.date.fromisoformat(birthdate)
        except ValueError:
            result.errors["birthdate"] = ["La date de naissance doit être au format AAAA-MM-JJ."]
            result.codes.append("birthdate.invalid")
    if find_account(tenant.slug, checked.value) is not None:
        result.errors["identifier"] = ["Un compte existe déjà avec cet identifiant."]
        result.codes.append("identifier.taken")
    if result.errors:
        return result
    account = Account(
        tenant=tenant.slug, identifier_index=vault().index(tenant.slug, checked.value),
        identifier_sealed=vault().seal(tenant.slug, checked.value), status=status,
        password_hash=hasher_for(settings, tenant.slug).hash(password),
        email=email, email_verified=bool(email), given_name=given_name, family_name=family_name,
        birthdate=birthdate, profile={},
    )
    db.session.add(account)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        result.errors["identifier"] = ["Un compte existe déjà avec cet identifiant."]
        result.codes.append("identifier.taken")
        return result
    result.account = account
    return result
