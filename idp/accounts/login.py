"""Local login: the tenant's identifier scheme, Argon2id, throttling, one answer for
"no such account" and "wrong password" (OWASP ASVS V2.2, CNIL 2022-100 throttling)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from idp.web.i18n import tr

from dataclasses import dataclass

from flask import current_app, g, request
from policies.identifiers import EmailScheme

from idp.store.db import db, scoped, utcnow
from idp.store.models import Account
from idp.security.audit import audit
from idp.security.counters import count_failure
from idp.security.passwords import needs_rehash, tenant_hasher, verify_password
from idp.security.vault import vault
from idp.web.metrics import counted_password_login
from idp.accounts.service import account_identifier, find_account

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
    for scope, key, threshold in (("identifier", _throttle_key(identifier), settings.max_failures),
                                  ("address", _address_key(), settings.max_failures_per_address)):
        seconds = count_failure(counters, key, threshold, settings.lockout_seconds)
        if seconds:
            audit("login.locked", "failure", scope=scope, seconds=seconds)


def _typed_name(raw: str):
    """The name typed in the login field, normalised: the tenant's identifier, or (tenants
    with ``login_with_email``) an email address. Only its format is checked here, so the
    answer to a badly formed name never depends on the accounts that exist."""
    if "@" in raw and g.tenant.config.login_with_email:
        return EmailScheme().check(raw)
    return g.tenant.identifier_scheme.check(raw)


def _mask(name: str) -> str:
    return EmailScheme().mask(name) if "@" in name else g.tenant.identifier_scheme.mask(name)


def _account_of(name: str) -> Account | None:
    """The account a well-formed name designates: by identifier, or the one account with
    this verified email (mairie: "identifiant ou adresse électronique"; none when several)."""
    if "@" not in name:
        return find_account(g.tenant.slug, name)
    from sqlalchemy import func

    found = db.session.execute(scoped(Account).where(
        func.lower(Account.email) == name, Account.email_verified.is_(True)).limit(2)).scalars().all()
    return found[0] if len(found) == 1 else None


@counted_password_login
def authenticate(raw_identifier: str, password: str) -> LoginOutcome:
    """Check a login. Every well-formed name, existing or not and whatever its form
    (identifier or email), costs one Argon2 verification with the tenant's parameters, is
    counted for throttling under the name as typed and under the address, and gets the
    same refusal. Each name an account answers to has its own budget: counting an email's
    failures on the account's identifier would make the lock tell which identifier the
    email belongs to."""
    if not raw_identifier.strip():
        return LoginOutcome(field="identifier", message=MESSAGES["required"], code="required")
    if not password:
        return LoginOutcome(field="password", message=MESSAGES["required"], code="required")
    checked = _typed_name(raw_identifier)
    if not checked.passing:
        return LoginOutcome(field="identifier", message=tr(checked.messages[0]),
                            code=checked.messages[0].code)
    name = checked.value
    counters = current_app.extensions["idp_counters"]
    wait = _locked(name)
    if wait:
        audit("login.throttled", "failure", identifier=_mask(name))
        return LoginOutcome(message=MESSAGES["throttled"].format(seconds=wait), code="throttled")
    account = _account_of(name)
    ph = tenant_hasher()
    length_ok = g.tenant.password_policy.accepts_at_login(password)
    verified = verify_password(ph, account.password_hash if account else None, password) and length_ok
    if not verified:
        _record_failure(name)
        audit("login.failure", "failure", identifier=_mask(name))
        return LoginOutcome(message=MESSAGES["invalid_credentials"], code="invalid_credentials")
    counters.delete(_throttle_key(name))
    return _granted(account, password, ph, name)


def password_again(account: Account, password: str) -> LoginOutcome:
    """The password typed again in /account (password change, contact change, deletion),
    counted as a login of the account's identifier: the same failure counters and locks
    (per identifier and per address), so whoever holds a session cannot guess the password
    without limit, nor by alternating with the login page. ``code`` is ``None`` when right,
    ``"throttled"`` (nothing verified) or ``"invalid_credentials"``."""
    name = account_identifier(account)
    wait = _locked(name)
    if wait:
        audit("reauthentication.throttled", "failure", identifier=_mask(name))
        return LoginOutcome(message=MESSAGES["throttled"].format(seconds=wait), code="throttled")
    if not password or not verify_password(tenant_hasher(), account.password_hash, password):
        if password:   # an empty field costs no verification and tells nothing
            _record_failure(name)
        audit("reauthentication.failure", "failure", identifier=_mask(name))
        return LoginOutcome(code="invalid_credentials")
    current_app.extensions["idp_counters"].delete(_throttle_key(name))
    return LoginOutcome(account=account)


def _granted(account: Account, password: str, ph, name: str) -> LoginOutcome:
    """The right password: the account's status decides (the status is told only now)."""
    if account.status == "provisional":
        return _provisional(account)
    if account.status != "active":
        return LoginOutcome(message=MESSAGES["inactive"], code="inactive")
    if needs_rehash(ph, account.password_hash):
        # committed with the session the login writes (one transaction per login); a login
        # that goes no further drops it, and the next one rehashes
        account.password_hash = ph.hash(password)
        audit("password.rehashed", account=account.id)
    audit("login.success", account=account.id, identifier=_mask(name))
    return LoginOutcome(account=account)
