"""Recovery: "Mot de passe oublié ?" (a code by SMS or email, among the account's verified
channels, then a new password that meets the tenant's policy) and "Identifiant oublié ?"
(the identifier sent to the verified email). Answers never reveal whether an account exists.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..i18n import tr

import logging

from flask import g, redirect, render_template, request, session, url_for
from sqlalchemy import func, select

from .. import verification
from ..db import db
from ..models import Account
from ..signup.delivery import deliver
from ..tenancy import tenant_blueprint
from .login import tenant_hasher
from .service import account_identifier, find_account

log = logging.getLogger("idp.recovery")
bp = tenant_blueprint("recovery", __name__)
PURPOSE = "password_reset"
SENT = (_l("Si un compte correspond, un code vient d'être envoyé par le moyen choisi. "
        "Il est valable quelques minutes."))


def _channels(account) -> list[str]:
    channels = []
    if account.phone_number and (account.profile or {}).get("phone_number_verified"):
        channels.append("sms")
    if account.email and account.email_verified:
        channels.append("email")
    return channels


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    errors = {}
    typed = request.form.get("identifier", "")
    if request.method == "POST":
        checked = g.tenant.identifier_scheme.check(typed)
        channel = request.form.get("channel")
        if not checked.passing:
            errors["identifier"] = tr(checked.messages[0])
        elif channel not in ("sms", "email"):
            errors["channel"] = _l("Choisissez comment recevoir votre code.")
        else:
            account = find_account(g.tenant.slug, checked.value)
            if account is not None and channel in _channels(account) and account.status == "active":
                destination = account.phone_number if channel == "sms" else account.email
                row, code = verification.issue(PURPOSE, account.id, channel, destination)
                deliver(channel, destination, "password_reset_code", {"code": code})
                log.info("password_reset_sent tenant=%s channel=%s", g.tenant.slug, channel)
            session[f"reset:{g.tenant.slug}"] = checked.value
            return redirect(url_for("recovery.reset"))
    return render_template("accounts/forgot.html", errors=errors, typed=typed), 400 if errors else 200


@bp.route("/password/reset", methods=["GET", "POST"])
def reset():
    identifier = session.get(f"reset:{g.tenant.slug}")
    if not identifier:
        return redirect(url_for("recovery.forgot"))
    errors = {}
    if request.method == "POST":
        account = find_account(g.tenant.slug, identifier)
        # the new password is checked first, so that a refused password does not burn the code
        errors = _password_errors(account) if account else {}
        if not errors:
            outcome = (verification.check(PURPOSE, account.id, request.form.get("code", "")) if account
                       else verification.Outcome(False, "verification.wrong", verification.MESSAGES["wrong"]))
            if not outcome.ok:
                errors["code"] = outcome.message
            else:
                account.password_hash = tenant_hasher().hash(request.form["password"])
                db.session.commit()
                log.info("password_reset_done tenant=%s", g.tenant.slug)
                session.pop(f"reset:{g.tenant.slug}", None)
                return render_template("accounts/reset_done.html")
    return render_template("accounts/reset.html", errors=errors, sent=SENT,
                           requirements=g.tenant.password_policy.requirements()), 400 if errors else 200


def _password_errors(account) -> dict:
    password = request.form.get("password", "")
    verdict = g.tenant.password_policy.check(password, identifier=account_identifier(account),
                                             names=[n for n in (account.given_name, account.family_name) if n])
    if not verdict.passing:
        return {"password": " ".join(tr(m) for m in verdict.messages)}
    if password != request.form.get("password_repeat"):
        return {"password_repeat": _l("Les deux mots de passe ne sont pas identiques.")}
    return {}


@bp.route("/identifier/forgot", methods=["GET", "POST"])
def forgot_identifier():
    errors, typed = {}, request.form.get("email", "").strip()
    if request.method == "POST":
        if "@" not in typed:
            errors["email"] = _l("Saisissez l'adresse électronique de votre compte.")
        else:
            accounts = db.session.execute(select(Account).where(
                Account.tenant == g.tenant.slug, func.lower(Account.email) == typed.lower(),
                Account.email_verified.is_(True))).scalars().all()
            for account in accounts:
                deliver("email", account.email, "identifier_reminder", {"identifier": account_identifier(account)})
            return render_template("accounts/identifier_sent.html")
    return render_template("accounts/forgot_identifier.html", errors=errors, typed=typed), 400 if errors else 200
