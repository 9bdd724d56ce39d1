"""Local login: the tenant's identifier scheme, Argon2id, throttling, one answer for
"no such account" and "wrong password" (OWASP ASVS V2.2, CNIL 2022-100 throttling)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..i18n import tr

import logging
from dataclasses import dataclass

from flask import current_app, g, request

from ..db import db, utcnow
from ..models import Account
from ..passwords import hasher, needs_rehash, verify_password
from ..protection import vault
from .service import find_account

log = logging.getLogger("idp.login")

MESSAGES = {
    "invalid_credentials": _l("Identifiant ou mot de passe incorrect."),
    "throttled": _l("Trop de tentatives. Réessayez dans {seconds} secondes."),
    "inactive": _l("Votre compte n'est pas encore activé. Utilisez le code ou le lien reçu à sa création, "
                "ou attendez la vérification de votre justificatif."),
    "required": _l("Ce champ est obligatoire."),
    "provisional_expired": _l("Votre code provisoire a expiré. Demandez-en un nouveau."),
}


def _provisional(account) -> LoginOutcome:
    """A provisional code (sent by post) logs in once, to choose a personal code."""
    from datetime import datetime

    expires = (account.profile or {}).get("provisional_code_expires")
    if expires and datetime.fromisoformat(expires) <= utcnow():
        return LoginOutcome(message=MESSAGES["provisional_expired"], code="provisional_expired")
    return LoginOutcome(account=account, code="must_choose_code")


@dataclass
class LoginOutcome:
    account: Account | None = None
    field: str | None = None          # "identifier" or "password" or None (form-level)
    message: str | None = None
    code: str | None = None


def tenant_hasher():
    params = current_app.config["IDP_SETTINGS"].argon2_for(g.tenant.slug)
    return hasher(params.memory_cost, params.time_cost, params.parallelism)


def _throttle_key(identifier: str) -> str:
    return f"login:{vault().index(g.tenant.slug, identifier)}"


def _address_key() -> str:
    return f"login-ip:{g.tenant.slug}:{request.remote_addr}"


def _locked(identifier: str) -> int:
    counters = current_app.extensions["idp_counters"]
    return max(counters.locked_for("lock:" + _throttle_key(identifier)),
               counters.locked_for("lock:" + _address_key()))


def _record_failure(identifier: str) -> None:
    """Count a failure for the identifier (whether it exists or not) and for the address;
    at each threshold the lock doubles: 1, 2, 4... times ``lockout_seconds``, up to an hour."""
    settings = current_app.config["IDP_SETTINGS"].login
    counters = current_app.extensions["idp_counters"]
    for key, threshold in ((_throttle_key(identifier), settings.max_failures),
                           (_address_key(), settings.max_failures_per_address)):
        failures = counters.incr(key, 86400)
        if failures % threshold == 0:
            strikes = failures // threshold
            counters.lock("lock:" + key, min(3600, settings.lockout_seconds * 2 ** (strikes - 1)))


def _identifier_of_email(email: str) -> str | None:
    """The identifier of the one account with this verified email (mairie: "identifiant ou
    adresse électronique"); None when there is none or several."""
    from sqlalchemy import func, select

    from .service import account_identifier

    found = db.session.execute(select(Account).where(
        Account.tenant == g.tenant.slug, func.lower(Account.email) == email.strip().lower(),
        Account.email_verified.is_(True)).limit(2)).scalars().all()
    return account_identifier(found[0]) if len(found) == 1 else None


def authenticate(raw_identifier: str, password: str) -> LoginOutcome:
    if not raw_identifier.strip():
        return LoginOutcome(field="identifier", message=MESSAGES["required"], code="required")
    if not password:
        return LoginOutcome(field="password", message=MESSAGES["required"], code="required")
    scheme = g.tenant.identifier_scheme
    if "@" in raw_identifier and g.tenant.config.login_with_email:
        raw_identifier = _identifier_of_email(raw_identifier) or raw_identifier
    checked = scheme.check(raw_identifier)
    if not checked.passing:
        return LoginOutcome(field="identifier", message=tr(checked.messages[0]),
                            code=checked.messages[0].code)
    identifier = checked.value
    counters = current_app.extensions["idp_counters"]
    wait = _locked(identifier)
    if wait:
        log.warning("login_throttled tenant=%s identifier=%s", g.tenant.slug, scheme.mask(identifier))
        return LoginOutcome(message=MESSAGES["throttled"].format(seconds=wait), code="throttled")
    account = find_account(g.tenant.slug, identifier)
    ph = tenant_hasher()
    length_ok = g.tenant.password_policy.accepts_at_login(password)
    verified = verify_password(ph, account.password_hash if account else None, password) and length_ok
    if not verified:
        _record_failure(identifier)
        log.info("login_failed tenant=%s identifier=%s", g.tenant.slug, scheme.mask(identifier))
        return LoginOutcome(message=MESSAGES["invalid_credentials"], code="invalid_credentials")
    counters.delete(_throttle_key(identifier))
    if account.status == "provisional":
        return _provisional(account)
    if account.status != "active":
        return LoginOutcome(message=MESSAGES["inactive"], code="inactive")
    if needs_rehash(ph, account.password_hash):
        account.password_hash = ph.hash(password)
        db.session.commit()
        log.info("password_rehashed tenant=%s", g.tenant.slug)
    log.info("login_succeeded tenant=%s identifier=%s", g.tenant.slug, scheme.mask(identifier))
    return LoginOutcome(account=account)
