"""Local login: the tenant's identifier scheme, Argon2id, throttling, one answer for
"no such account" and "wrong password" (OWASP ASVS V2.2, CNIL 2022-100 throttling)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app, g

from ..db import db
from ..models import Account
from ..passwords import hasher, needs_rehash, verify_password
from ..protection import vault
from .service import find_account

log = logging.getLogger("idp.login")

MESSAGES = {
    "invalid_credentials": "Identifiant ou mot de passe incorrect.",
    "throttled": "Trop de tentatives. Réessayez dans {seconds} secondes.",
    "inactive": "Votre compte n'est pas encore activé.",
    "required": "Ce champ est obligatoire.",
}


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


def authenticate(raw_identifier: str, password: str) -> LoginOutcome:
    if not raw_identifier.strip():
        return LoginOutcome(field="identifier", message=MESSAGES["required"], code="required")
    if not password:
        return LoginOutcome(field="password", message=MESSAGES["required"], code="required")
    scheme = g.tenant.identifier_scheme
    checked = scheme.check(raw_identifier)
    if not checked.passing:
        return LoginOutcome(field="identifier", message=checked.messages[0].fr,
                            code=checked.messages[0].code)
    identifier = checked.value
    settings = current_app.config["IDP_SETTINGS"].login
    counters = current_app.extensions["idp_counters"]
    if counters.get(_throttle_key(identifier)) >= settings.max_failures:
        log.warning("login_throttled tenant=%s identifier=%s", g.tenant.slug, scheme.mask(identifier))
        return LoginOutcome(message=MESSAGES["throttled"].format(seconds=settings.lockout_seconds),
                            code="throttled")
    account = find_account(g.tenant.slug, identifier)
    ph = tenant_hasher()
    length_ok = g.tenant.password_policy.accepts_at_login(password)
    verified = verify_password(ph, account.password_hash if account else None, password) and length_ok
    if not verified:
        counters.incr(_throttle_key(identifier), settings.lockout_seconds)
        log.info("login_failed tenant=%s identifier=%s", g.tenant.slug, scheme.mask(identifier))
        return LoginOutcome(message=MESSAGES["invalid_credentials"], code="invalid_credentials")
    counters.delete(_throttle_key(identifier))
    if account.status != "active":
        return LoginOutcome(message=MESSAGES["inactive"], code="inactive")
    if needs_rehash(ph, account.password_hash):
        account.password_hash = ph.hash(password)
        db.session.commit()
        log.info("password_rehashed tenant=%s", g.tenant.slug)
    log.info("login_succeeded tenant=%s identifier=%s", g.tenant.slug, scheme.mask(identifier))
    return LoginOutcome(account=account)
