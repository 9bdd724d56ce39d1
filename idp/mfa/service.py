"""What the second-factor pages and commands decide, without a request's form: check an
answer (throttled), step a session up, enrol, remove, reset; each an audit event and, once
committed, a message to the person.

Throttling uses the shared counters as the login does (:mod:`idp.accounts.login`): failures
counted per account (a second factor is tried once the password is known, so the
account is the budget), a lock at each ``[login] max_failures`` that doubles, up to an hour.
"""

from __future__ import annotations

from flask import current_app, g
from flask_babel import lazy_gettext as _l

from idp.accounts.credentials import _now_text, tell
from idp.accounts.service import account_identifier
from idp.mfa import factors, recovery, totp
from idp.oidc import sessions
from idp.security.audit import audit
from idp.store.db import after_commit, db, scoped_delete
from idp.store.models import MfaFactor

MESSAGES = {
    "invalid_code": _l("Code incorrect ou déjà utilisé. Vérifiez l'heure de votre téléphone et réessayez."),
    "throttled": _l("Trop de tentatives. Réessayez dans {seconds} secondes."),
    "required": _l("Saisissez le code."),
}
METHOD_WORDS = {"totp": "une application d'authentification", "recovery_code": "des codes de secours"}


def _key(account) -> str:
    return f"mfa:{account.tenant}:{account.id}"


def locked_for(account) -> int:
    return current_app.extensions["idp_counters"].locked_for("lock:" + _key(account))


def _failed(account, method: str) -> None:
    settings = current_app.config["IDP_SETTINGS"].login
    counters = current_app.extensions["idp_counters"]
    failures = counters.incr(_key(account), 86400)
    audit("mfa.failure", "failure", account=account.id, method=method)
    if failures % settings.max_failures == 0:
        seconds = min(3600, settings.lockout_seconds * 2 ** (failures // settings.max_failures - 1))
        counters.lock("lock:" + _key(account), seconds)
        audit("mfa.locked", "failure", account=account.id, seconds=seconds)


def _notify(account, change: str, method: str = "") -> None:
    after_commit(tell, account, "second_factor_changed",
                 {"when": _now_text(), "mfa_change": change, "method": METHOD_WORDS.get(method, method)})


def refusal(code: str) -> tuple[str, str]:
    return code, MESSAGES[code]


def check_answer(account, method: str, answer: str) -> tuple[str | None, str | None]:
    """``(None, None)`` when ``answer`` is right for the account's ``method`` (burnt: it is
    accepted once), else ``(code, French message)``: ``invalid_code``, ``required``,
    ``throttled`` (a locked account verifies nothing)."""
    kind = factors.kind(method)
    if kind is None or kind.verify is None or not kind.enrolled(account):
        return refusal("invalid_code")
    wait = locked_for(account)
    if wait:
        audit("mfa.throttled", "failure", account=account.id, method=method)
        return "throttled", MESSAGES["throttled"].format(seconds=wait)
    if not (answer or "").strip():
        return refusal("required")
    if not kind.verify(account, answer):
        _failed(account, method)
        return refusal("invalid_code")
    current_app.extensions["idp_counters"].delete(_key(account))
    audit("mfa.verified", account=account.id, method=method)
    if method == "recovery_code":
        _notify(account, "recovery_used", method)
    return None, None


def step_up(session, method: str) -> None:
    """The session now holds two factors: ``eidas2``, the factor's ``amr`` and ``mfa`` added,
    the factor's time recorded (``max_age`` applies to it). Committed by the caller."""
    sessions.step_up(session, "eidas2", list(factors.KINDS[method].amr))


def confirm_totp(account, factor, code: str) -> tuple[str | None, str | None]:
    """The first code of a TOTP being enrolled (throttled as any answer)."""
    wait = locked_for(account)
    if wait:
        audit("mfa.throttled", "failure", account=account.id, method="totp")
        return "throttled", MESSAGES["throttled"].format(seconds=wait)
    if not (code or "").strip():
        return refusal("required")
    if not totp.confirm(factor, code):
        _failed(account, "totp")
        return refusal("invalid_code")
    current_app.extensions["idp_counters"].delete(_key(account))
    audit("mfa.enrolled", account=account.id, method="totp")
    _notify(account, "enrolled", "totp")
    return None, None


def new_recovery_codes(account) -> list[str]:
    codes = recovery.generate(account)
    audit("mfa.recovery_codes_generated", account=account.id, count=len(codes))
    _notify(account, "recovery_codes", "recovery_code")
    return codes


def remove_factor(account, factor_id: str) -> bool:
    removed = db.session.execute(scoped_delete(MfaFactor, account.tenant, account_id=account.id, id=factor_id),
                                 execution_options={"synchronize_session": False}).rowcount
    if removed:
        audit("mfa.removed", account=account.id, method="totp")
        _notify(account, "removed", "totp")
    return bool(removed)


def reset(account) -> int:
    """Every factor and recovery code of ``account`` removed (an operator, for a person who
    lost them); committed by the caller."""
    count = db.session.execute(scoped_delete(MfaFactor, account.tenant, account_id=account.id),
                               execution_options={"synchronize_session": False}).rowcount
    codes = recovery.remove(account)
    audit("mfa.reset_by_operator", account=account.id, factors=count, recovery_codes=codes)
    _notify(account, "reset")
    return count


def account_label(account) -> str:
    """The account's name in an authenticator app: masked when the identifier is a NIR."""

    value = account_identifier(account)
    scheme = g.tenant.identifier_scheme
    return scheme.mask(value) if scheme.name.startswith("nir") else value
