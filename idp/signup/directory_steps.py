"""Step kinds of ameli's signup (seed 002): the identity checked against the reference
directory, then immediate access (IBAN's last 7 characters and carte Vitale serial) or a
provisional code sent by post. Each returns an :class:`~idp.web.outcome.Outcome`; the code by
post ends the signup (``finish("provisional")``) on a page of its own."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from idp.web.i18n import tr

import logging
import secrets
from datetime import timedelta

from flask import current_app, g
from sqlalchemy.exc import IntegrityError

from policies import validator

from idp.accounts.service import find_account
from idp.store.db import db, utcnow
from idp.store.models import Account
from idp.security.audit import audit
from idp.security.vault import vault
from idp.signup.delivery import deliver
from idp.signup import existing, limits
from idp.signup.directory import MISMATCH, DirectoryUnavailable, directory_from_config, match_documents, match_identity
from idp.signup.fields import typed_date
from idp.signup.steps import REQUIRED
from idp.security.passwords import tenant_hasher
from idp.web.outcome import Outcome
from idp.web.metrics import count_signup

log = logging.getLogger("idp.signup")
UNAVAILABLE = _l("Service momentanément indisponible, réessayez plus tard.")
_directories: dict = {}


def directory():
    if g.tenant.slug not in _directories:
        _directories[g.tenant.slug] = directory_from_config(g.tenant.config.signup.directory)
    return _directories[g.tenant.slug]


def _typed(form, answers, names) -> dict[str, str]:
    errors = {}
    for name in names:
        answers[name] = typed_date(form, name) if name == "birthdate" else form.get(name, "").strip()
        if not answers[name]:
            errors[name] = REQUIRED
    return errors


def _beneficiary(nir: str):
    """The directory's beneficiary for ``nir``, or the refusal: the checks' limit (this
    answer tells whether the number is a beneficiary's), or the directory not answering."""
    refused = limits.check(nir)
    if refused:
        return None, Outcome.limited("identity", refused)
    try:
        return directory().find(nir), None
    except DirectoryUnavailable:
        audit("signup.directory", "failure", reason="unavailable")
        return None, Outcome.invalid({"identity": UNAVAILABLE})


def check_directory(step, form, state) -> Outcome:
    """Nom, NIR, date de naissance, code postal, matched against the directory (throttled:
    the answer tells whether this is a beneficiary's identity). Whether an account exists
    is not said here (signup/existing.py)."""
    answers = state.answers
    errors = _typed(form, answers, ("birth_name", "nir", "birthdate", "postal_code"))
    checks = {"nir": g.tenant.identifier_scheme.check, "birthdate": validator("birthdate"),
              "postal_code": validator("postal_code")}
    values = {}
    for name, check in checks.items():
        if name in errors:
            continue
        result = check(answers[name])
        if not result.passing:
            errors[name] = tr(result.messages[0])
        else:
            values[name] = result.value.isoformat() if hasattr(result.value, "isoformat") else result.value
    if errors:
        return Outcome.invalid(errors)
    beneficiary, refused = _beneficiary(values["nir"])
    if refused is not None:
        return refused
    found = match_identity(beneficiary, answers["birth_name"], values["birthdate"], values["postal_code"])
    if not found.ok:
        audit("signup.directory", "failure", reason=found.reason,
              nir=g.tenant.identifier_scheme.mask(values["nir"]))
        return Outcome.invalid({"identity": MISMATCH})
    answers.update(identifier=values["nir"], birthdate=values["birthdate"], given_name=beneficiary.given_names,
                   birth_name=beneficiary.birth_name)
    state.data["address"] = list(beneficiary.address)
    return Outcome.next()


def check_access(step, form, state) -> Outcome:
    """Immediate access with the IBAN's last 7 characters and the carte Vitale serial, or
    « recevoir un code provisoire » by post."""
    answers = state.answers
    if form.get("action") == "provisional":
        return _provisional(state)
    errors = _typed(form, answers, ("iban_last7", "vitale_serial"))
    if errors:
        return Outcome.invalid(errors)
    iban = validator("iban_last7")(answers["iban_last7"])
    vitale = validator("vitale")(answers["vitale_serial"])
    if not iban.passing:
        errors["iban_last7"] = tr(iban.messages[0])
    if not vitale.passing:
        errors["vitale_serial"] = tr(vitale.messages[0])
    if errors:
        return Outcome.invalid(errors)
    beneficiary, refused = _beneficiary(answers["identifier"])
    if refused is not None:
        return refused
    found = match_documents(beneficiary, iban.value, vitale.value)
    if not found.ok:
        audit("signup.directory", "failure", reason=found.reason)
        return Outcome.invalid({"identity": MISMATCH})
    answers.pop("iban_last7", None)
    answers.pop("vitale_serial", None)
    taken = find_account(g.tenant.slug, answers["identifier"])
    if taken is not None:  # the caller holds the beneficiary's bank and Vitale details
        existing.tell_holder(taken, state.data.get("address"))
        return Outcome.invalid({"identity": existing.TAKEN["code"]})
    return Outcome.next()


def _provisional(state) -> Outcome:
    """« Recevoir un code provisoire par courrier »: the same page whether an account exists
    or not; the holder of an existing one is told instead of getting a code."""
    refused = limits.check(state.answers["identifier"])
    if refused:
        return Outcome.limited("identity", refused)
    taken = find_account(g.tenant.slug, state.answers["identifier"]) or _send_provisional_code(state)
    if taken is not None:
        existing.tell_holder(taken, state.data.get("address"))
    return Outcome.finish("provisional")


def _send_provisional_code(state) -> Account | None:
    """A provisional account whose password is the code sent by post (valid N days); the
    first login with it asks for a personal code. When a simultaneous signup of the same NIR
    wrote its account first (the unique index decides), nothing is written or sent and that
    account is returned, so that its holder is told as after any later signup."""
    answers = state.answers
    code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))
    days = current_app.config["IDP_SETTINGS"].verification.letter_ttl_days
    identifier = answers["identifier"]
    account = Account(
        tenant=g.tenant.slug, identifier_index=vault().index(g.tenant.slug, identifier),
        identifier_sealed=vault().seal(g.tenant.slug, identifier), status="provisional",
        password_hash=tenant_hasher().hash(code), given_name=answers.get("given_name"),
        family_name=answers.get("birth_name"), birthdate=answers.get("birthdate"),
        profile={"provisional_code_expires": (utcnow() + timedelta(days=days)).isoformat()},
    )
    db.session.add(account)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return find_account(g.tenant.slug, identifier)
    name = f"{answers.get('given_name', '')} {answers.get('birth_name', '')}".strip()
    deliver("letter", {"name": name, "lines": state.data.get("address", [])}, "provisional_code_letter", {"code": code})
    audit("signup.provisional_code_sent", account=account.id)
    count_signup("provisional")
    return None
