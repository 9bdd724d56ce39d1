"""Creating the account at the end of a signup, and activating it by SMS code or email link
(seed 001: "Recevez un code secret par SMS" or "Recevez un lien par Email")."""

from __future__ import annotations

import logging

from flask import g

from .. import verification
from ..db import db
from ..models import Account
from ..protection import vault
from .fields import spec

log = logging.getLogger("idp.signup")
PURPOSE = "activation"


def create_pending_account(state) -> Account:
    """Write the account from the answers, not yet active; idempotent for a signup."""
    if state.data.get("account_id"):
        return db.session.get(Account, state.data["account_id"])
    answers, tenant = state.answers, g.tenant.slug
    identifier = answers["identifier"]
    account = Account(tenant=tenant, identifier_index=vault().index(tenant, identifier),
                      identifier_sealed=vault().seal(tenant, identifier), status="pending_activation",
                      password_hash=state.data["password_hash"], profile={})
    profile = {"consents": state.data.get("consents", {})}
    for name, value in answers.items():
        target = _target(name)
        if target is None or value in ("", None):
            continue
        if target.startswith("profile."):
            profile[target.removeprefix("profile.")] = value
        else:
            setattr(account, target, value)
    account.profile = profile
    db.session.add(account)
    db.session.commit()
    state.data["account_id"] = account.id
    state.save()
    log.info("signup_account_created tenant=%s", tenant)
    return account


def _target(name: str) -> str | None:
    try:
        return spec(name).target
    except KeyError:
        return None


def channels_for(account: Account) -> list[str]:
    configured = g.tenant.config.signup.activation_channels
    usable = {"email": bool(account.email), "sms": bool(account.phone_number)}
    return [c for c in configured if usable[c]]


def send_activation(account: Account, channel: str) -> None:
    from .delivery import deliver

    if channel == "sms":
        row, code = verification.issue(PURPOSE, account.id, "sms", account.phone_number, kind="code")
        deliver("sms", account.phone_number, "activation_code", {"code": code})
    else:
        row, token = verification.issue(PURPOSE, account.id, "email", account.email, kind="link")
        link = f"{g.tenant.issuer}/signup/activate/{row.id}/{token}"
        deliver("email", account.email, "activation_link", {"link": link})


def activate(account: Account, channel: str) -> None:
    account.status = "active"
    if channel == "email":
        account.email_verified = True
    else:
        account.profile = {**(account.profile or {}), "phone_number_verified": True}
    db.session.commit()
    log.info("account_activated tenant=%s channel=%s", g.tenant.slug, channel)
