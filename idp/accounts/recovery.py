"""Recovery: "Mot de passe oublié ?" (a code by SMS or email, among the account's verified
channels, then a new password that meets the tenant's policy) and "Identifiant oublié ?"
(a reminder sent to the verified email).

No answer reveals whether an account exists: the forgot pages answer the same, and in the
same time (the lookup and the send run after the answer, :mod:`idp.background`), the reset
page has one refusal for every failure of the code (as Kratos does) and checks the new
password only once the code is right. Sends are limited per account (the budget of
:mod:`idp.verification.codes`, which a new request re-arms rather than renews) and per address.

Decisions: the reset by email is a 6-digit code like the SMS, not a link. The code is typed
in the browser that asked for it, which binds the reset to it; a link would also be opened
by mail scanners and on other devices. Its strength is the attempt budget: 5 tries per
``send_window`` per account, i.e. at most 5 in a million per hour of attack. The identifier
waiting between the two pages is sealed (AES-GCM, :mod:`idp.security.vault`) in the session
cookie, never readable there; the reminder masks a NIR and says where to read it in full.
"""

from __future__ import annotations

import base64

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l, ngettext
from sqlalchemy import func

from idp.web import background

from idp.verification import codes as verification
from idp.store.db import commit_request, db, scoped
from idp.web.i18n import tr
from idp.store.models import Account
from idp.oidc import interactions
from idp.clients.model import find_client
from idp.security.vault import vault
from idp.signup.delivery import deliver
from idp.web.tenancy import tenant_blueprint
from idp.accounts.credentials import password_changed
from idp.security.audit import audit
from idp.security.passwords import tenant_hasher
from idp.accounts.service import account_identifier, find_account

bp = tenant_blueprint("recovery", __name__)
PURPOSE = "password_reset"
REMINDER = "identifier_reminder"
SENT = (_l("Si un compte correspond, un code vient d'être envoyé par le moyen choisi, ou par l'autre s'il n'est "
           "pas confirmé pour ce compte. Il est valable quelques minutes."))
REFUSED = _l("Le code saisi est incorrect ou n'est plus valable. Vérifiez-le ou demandez-en un nouveau.")
TOO_MANY_REQUESTS = verification.MESSAGES["too_many_requests"]


def _channels(account) -> list[str]:
    channels = []
    if account.phone_number and (account.profile or {}).get("phone_number_verified"):
        channels.append("sms")
    if account.email and account.email_verified:
        channels.append("email")
    return channels


def _reset_channel(account, chosen: str) -> str | None:
    """The channel the code goes by: the one chosen if the account has verified it, else its
    other verified one (an email never confirmed would receive nothing while the page says a
    code was sent); None for no account, an inactive one or one without a verified channel.
    The page never says which: it speaks of the account's confirmed mobile or address."""
    if account is None or account.status != "active":
        return None
    verified = _channels(account)
    return chosen if chosen in verified else (verified[0] if verified else None)


def _keep_identifier(identifier: str) -> None:
    session[f"reset:{g.tenant.slug}"] = base64.urlsafe_b64encode(vault().seal(g.tenant.slug, identifier)).decode()


def _kept_identifier() -> str | None:
    sealed = session.get(f"reset:{g.tenant.slug}")
    try:
        return vault().unseal(g.tenant.slug, base64.urlsafe_b64decode(sealed)) if sealed else None
    except Exception:  # a value from before sealing, or forged: start again
        return None


def _send_reset_code(identifier: str, channel: str) -> None:
    """Send a code if the account exists, is active and has this channel verified; say
    nothing either way (a refusal of the account's limits would reveal the account).
    Runs after the answer (:mod:`idp.background`), so that its time does not tell either."""
    account = find_account(g.tenant.slug, identifier)
    channel = _reset_channel(account, channel)
    if channel is None:
        return
    destination = account.phone_number if channel == "sms" else account.email
    outcome = verification.request_code(PURPOSE, account.id, channel, destination)
    if outcome.ok:
        deliver(channel, destination, "password_reset_code", {"code": outcome.secret})
    audit("password_reset.code", "success" if outcome.ok else "failure", channel=channel,
          reason=None if outcome.ok else outcome.code)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    _keep_interaction()
    errors = {}
    typed = request.form.get("identifier", "")
    if request.method == "POST":
        checked = g.tenant.identifier_scheme.check(typed)
        channel = request.form.get("channel")
        if not checked.passing:
            errors["identifier"] = tr(checked.messages[0])
        elif channel not in ("sms", "email"):
            errors["channel"] = _l("Choisissez comment recevoir votre code.")
        elif not verification.address_allows():
            return render_template("accounts/forgot.html", errors={"form": TOO_MANY_REQUESTS}, typed=typed), 429
        else:
            background.run_after(_send_reset_code, checked.value, channel)
            _keep_identifier(checked.value)
            return redirect(url_for("recovery.reset"))
    return render_template("accounts/forgot.html", errors=errors, typed=typed), 400 if errors else 200


@bp.route("/password/reset", methods=["GET", "POST"])
def reset():
    identifier = _kept_identifier()
    if not identifier:
        return redirect(url_for("recovery.forgot"))
    errors = {}
    if request.method == "POST":
        account = find_account(g.tenant.slug, identifier)
        outcome = verification.check(PURPOSE, account.id, request.form.get("code", ""), consume=False) \
            if account is not None and account.status == "active" else None
        if outcome is None or not outcome.ok:
            errors["code"] = _refused(identifier)
        else:
            # the code is right: only now is the password checked, and a refused one keeps the code
            errors = _password_errors(account)
            if not errors and verification.consume_row(outcome.verification, commit=False).ok:
                return _reset_done(account)   # the code used up with the new password, at once
            errors = errors or {"code": REFUSED}
    return render_template("accounts/reset.html", errors=errors, sent=SENT,
                           requirements=g.tenant.password_policy.requirements()), 400 if errors else 200


def _reset_done(account):
    account.password_hash = tenant_hasher().hash(request.form["password"])
    password_changed(account, keep=None, how="reset")
    commit_request()   # the new password, the code used up and their consequences, at once
    session.pop(f"reset:{g.tenant.slug}", None)
    handle = session.pop(f"reset-interaction:{g.tenant.slug}", None)
    row = interactions.load(handle) if handle else None
    client = find_client(row.client_id) if row is not None else None
    return render_template("accounts/reset_done.html", handle=handle if row is not None else None,
                           service=client.row.name if client else None)


def _keep_interaction() -> None:
    """The relying party's request the person left the login page of ("Mot de passe
    oublié ?"), to take them back to it once the password is reset."""
    handle = request.args.get("interaction")
    if handle and interactions.load(handle) is not None:
        session[f"reset-interaction:{g.tenant.slug}"] = handle


def _refused(identifier: str) -> str:
    """One refusal for every failure of the code, with the tries left. They are counted per
    identifier whether or not an account has it (a count only where one exists would tell),
    within the window of the code's own budget (``max_attempts`` per ``send_window``), which
    :mod:`idp.verification.codes` enforces; this count is what the page says."""
    settings = current_app.config["IDP_SETTINGS"].verification
    key = f"reset-tries:{g.tenant.slug}:{vault().index(g.tenant.slug, identifier)}"
    spent = current_app.extensions["idp_counters"].incr(key, settings.send_window)
    if spent >= settings.max_attempts:
        return verification.MESSAGES["too_many"]
    return f"{REFUSED} " + ngettext("Il vous reste %(num)d essai.", "Il vous reste %(num)d essais.",
                                    settings.max_attempts - spent)


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
        elif not verification.address_allows():
            return render_template("accounts/forgot_identifier.html", errors={"form": TOO_MANY_REQUESTS},
                                   typed=typed), 429
        else:
            background.run_after(_remind_all, typed)
            return render_template("accounts/identifier_sent.html")
    return render_template("accounts/forgot_identifier.html", errors=errors, typed=typed), 400 if errors else 200


def _remind_all(email: str) -> None:
    """The reminder to each account with this verified email; after the answer, as codes are."""
    accounts = db.session.execute(scoped(Account).where(
        func.lower(Account.email) == email.lower(), Account.email_verified.is_(True))).scalars().all()
    for account in accounts:
        _remind(account)


def _remind(account) -> None:
    """The identifier to its verified email, within the send limits; a NIR masked, with where
    to read it in full (carte Vitale, attestation de droits), since an email is read on lock
    screens, forwarded and kept in mailboxes. Other identifiers (a username, a provisional
    identifier) go in full: they are not a NIR and the person has nowhere else to read them."""
    if not verification.message_allowed(REMINDER, account.id).ok:
        return
    identifier = account_identifier(account)
    scheme = g.tenant.identifier_scheme
    nir = scheme.name.startswith("nir") and identifier[:1].isdigit()
    deliver("email", account.email, "identifier_reminder",
            {"identifier": scheme.mask(identifier) if nir else identifier, "nir": nir})
    audit("identifier.reminder_sent", account=account.id)
