"""Creating the account at the end of a signup, and activating it by SMS code or email link
(seed 001: "Recevez un code secret par SMS" or "Recevez un lien par Email")."""

from __future__ import annotations

import base64
import logging

from flask import g
from sqlalchemy.exc import IntegrityError

from idp.verification import codes as verification
from idp.store.db import db, scoped_get
from idp.store.models import Account
from idp.security.audit import audit
from idp.security.vault import vault
from idp.signup.fields import spec
from idp.signup.steps import password_hash
from idp.signup.delivery import deliver
from idp.web.metrics import count_signup

log = logging.getLogger("idp.signup")
PURPOSE = verification.ACTIVATION


def create_pending_account(state) -> Account | None:
    """The account of a signup that ends with activation (not active until then), committed
    with the signup that now knows it; None when its identifier was taken (see below)."""
    return create_account(state, "pending_activation", commit=True)


def create_account(state, status: str | None = None, commit: bool = False) -> Account | None:
    """Write the account from the answers and record it in the signup, in the caller's
    transaction (committed here when ``commit``); idempotent for a signup. Without an
    explicit status it is active (its contact was verified during the signup) or waiting
    for a supporting document.

    None when the identifier is taken: another signup wrote it since it was checked, or at
    this very instant (the unique index on the identifier decides between simultaneous
    signups: the loser's INSERT fails and its transaction is rolled back, so nothing of it
    is written). The caller then reloads the signup (its objects are expired) and answers
    as to a signup that came second (:func:`idp.signup.existing.check_free`)."""
    if state.data.get("account_id"):
        return scoped_get(Account, state.data["account_id"])
    if status is None:
        status = "pending_document" if state.data.get("pending_document") else "active"
    account = _new_account(state, status)
    db.session.add(account)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        audit("signup.identifier_taken", "failure")
        count_signup("identifier_taken")
        return None
    state.data.pop("password_sealed", None)   # hashed into the account: the sealed copy goes
    state.data["account_id"] = account.id
    if commit:
        state.save()
    audit("signup.created", account=account.id, status=status)
    count_signup(status)
    return account


def _new_account(state, status: str) -> Account:
    answers, tenant = state.answers, g.tenant.slug
    identifier = answers["identifier"]
    account = Account(tenant=tenant, identifier_index=vault().index(tenant, identifier),
                      identifier_sealed=vault().seal(tenant, identifier), status=status,
                      password_hash=password_hash(state), profile={})
    profile = {"consents": state.data.get("consents", {})}
    for name, value in answers.items():
        target = _target(name)
        if target is None or value in ("", None):
            continue
        if target.startswith("profile."):
            profile[target.removeprefix("profile.")] = value
        else:
            setattr(account, target, value)
    profile.update(_identity_extras(answers, state.data.get("contact_verified")))
    if profile.pop("email_verified", False):
        account.email_verified = True
    account.profile = profile
    return account


def _identity_extras(answers: dict, verified: dict | None) -> dict:
    """Birthplace, provisional flag, document (sealed, shown masked) and verified contact."""
    extras = {}
    if answers.get("birthplace"):
        extras["birthplace"] = answers["birthplace"]
        extras["birthcountry"] = answers["birthplace"] if answers["birthplace"].startswith("99") else "99100"
    if answers.get("no_nir"):
        extras["provisional_identifier"] = True
    document = answers.get("document")
    if document:
        extras["document"] = kept_document(document)
    if verified:
        extras["email_verified" if verified["field"] == "email" else "phone_number_verified"] = True
    return extras


def kept_document(document: dict) -> dict:
    """What an account keeps of the identity document checked: its kind, the number masked
    (shown) and sealed (for an operator)."""
    number = document["number"]
    return {"kind": document["kind"], "masked": number[:2] + "*" * (len(number) - 2),
            "sealed": base64.b64encode(vault().seal(g.tenant.slug, number)).decode()}


def _target(name: str) -> str | None:
    try:
        return spec(name).target
    except KeyError:
        return None


def channels_for(answers: dict) -> list[str]:
    """The configured activation channels the person gave an address or a mobile for."""
    configured = g.tenant.config.signup.activation_channels
    usable = {"email": bool(answers.get("email")), "sms": bool(answers.get("mobile"))}
    return [c for c in configured if usable[c]]


def send_activation(account: Account, channel: str) -> str | None:
    """Send the code (SMS) or link (email) within the limits of :mod:`idp.verification.codes`
    (per account: resend delay, sends of the window; per client address); None when sent,
    else the French refusal. Every POST of the activation step or of "renvoyer" sends a
    message to an address the signup typed: unbounded, it would be a free SMS and mail pump."""
    if not verification.address_allows():
        return verification.MESSAGES["too_many_requests"]
    destination = account.phone_number if channel == "sms" else account.email
    outcome = verification.request_code(PURPOSE, account.id, channel, destination,
                                        kind="code" if channel == "sms" else "link")
    if not outcome.ok:
        return outcome.message
    if channel == "sms":
        deliver("sms", destination, "activation_code", {"code": outcome.secret})
    else:
        link = f"{g.tenant.issuer}/signup/activate/{outcome.verification.id}/{outcome.secret}"
        deliver("email", destination, "activation_link", {"link": link})
    return None


def activate(account: Account, channel: str) -> None:
    """Open the account (committed by the caller, with the login that follows)."""
    account.status = "active"
    if channel == "email":
        account.email_verified = True
    else:
        account.profile = {**(account.profile or {}), "phone_number_verified": True}
    audit("account.activated", account=account.id, channel=channel)
