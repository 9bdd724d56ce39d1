"""Self-service at ``{issuer}/account``: see one's data, change the password, revoke the
services one consented to, download one's data, delete the account (RGPD art. 15, 17, 20).

A new password ends the other sessions and revokes tokens (:mod:`.credentials`). Changing
the email or mobile needs a recent authentication, as Keycloak's and Kratos's privileged
sessions do: a login of the last ``[verification] recent_authentication`` seconds (5 minutes
by default, the SSO session's ``auth_time``), else the password again; a session left open
on a shared computer cannot redirect the account's recovery to someone else's address.
Each password typed again (password change, contact change, deletion) counts as a login of
the account's identifier, with the same counters and locks (:func:`.login.password_again`).
With the tenant's ``unique_email`` a new email already another account's is refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from idp.web.i18n import tr

import functools
import json
import logging
import time

from flask import current_app, g, make_response, redirect, render_template, request, url_for
from policies import validator
from idp.verification import codes as verification
from idp.store.db import commit_request, scoped_all, scoped_first, utcnow
from idp.store.models import Account, Consent, MfaFactor, PasskeyCredential, SsoSession
from idp.accounts.activity import recent_events
from idp.accounts import credentials, lifecycle
from idp.oidc import consent as consents
from idp.oidc import sessions
from idp.oidc.claims import account_claims
from idp.clients.model import find_client
from idp.web.tenancy import tenant_blueprint
from idp.accounts.login import password_again
from idp.security.audit import audit
from idp.security.passwords import tenant_hasher
from idp.accounts.service import account_identifier, email_in_use
from idp.accounts.views import shared_in_words
from idp.federation.linking import links_of
from idp.signup.delivery import deliver

log = logging.getLogger("idp.account")
RECENT_LOGIN = 15 * 60   # seconds: how fresh a FranceConnect login must be to add a first password
bp = tenant_blueprint("selfservice", __name__)


def _account():
    session = sessions.current_session()
    if session is None:
        return None, None
    return session, scoped_first(Account, id=session.account_id)


def signed_in(view):
    """A page of the account's holder: ``view(session, account, ...)``, or the login page
    for a browser without a session."""
    @functools.wraps(view)
    def page(*args, **kwargs):
        session, account = _account()
        if account is None:
            return redirect(url_for("accounts.direct_login"))
        return view(session, account, *args, **kwargs)
    return page


def _shown_identifier(account) -> str:
    value = account_identifier(account)
    scheme = g.tenant.identifier_scheme
    return scheme.mask(value) if scheme.name.startswith("nir") else value


def _page(account, status=200, **extra):
    consents = [(c, find_client(c.client_id)) for c in scoped_all(Consent, account_id=account.id)]
    current = sessions.current_session()
    active = [(row, row.id == current.id) for row in scoped_all(SsoSession, account_id=account.id)
              if row.expires_at > utcnow()]
    pending = verification.pending(CONTACT_PURPOSE, account.id)
    return render_template("accounts/overview.html", account=account, identifier=_shown_identifier(account),
                           consents=[(c, client, shared_in_words(c, client, account)) for c, client in consents if client],
                           sessions=active, activity=recent_events(account),
                           pending_contact=pending, errors=extra.pop("errors", {}),
                           reauthenticate=not _recent_login(current), franceconnect=_franceconnect_link(account),
                           requirements=g.tenant.password_policy.requirements(), **extra), status


def _franceconnect_link(account):
    """The account's FranceConnect link, shown with a way to remove it (idp/federation/account_link.py)."""
    return next(iter(links_of(account)), None) if g.tenant.config.franceconnect else None


@bp.route("/account")
@signed_in
def overview(session, account):
    return _page(account, done=request.args.get("done"))


@bp.route("/account/password", methods=["POST"])
@signed_in
def change_password(session, account):
    form = request.form
    ph = tenant_hasher()
    errors, status = {}, 400
    if account.password_hash is None:
        # an account created through FranceConnect adds its first password: no current
        # password to check, so a recent FranceConnect login stands in for it
        if not session.upstream_provider or time.time() - session.auth_time > RECENT_LOGIN:
            errors["new_password"] = _l("Pour ajouter un mot de passe, reconnectez-vous d'abord avec FranceConnect.")
    elif refused := _password_refused(account, form.get("current_password", ""),
                                      _l("Le mot de passe actuel est incorrect.")):
        errors["current_password"], status = refused
    if not errors:
        verdict = g.tenant.password_policy.check(form.get("new_password", ""), identifier=account_identifier(account),
                                                 names=[n for n in (account.given_name, account.family_name) if n])
        if not verdict.passing:
            errors["new_password"] = " ".join(tr(m) for m in verdict.messages)
        elif form.get("new_password") != form.get("new_password_repeat"):
            errors["new_password_repeat"] = _l("Les deux mots de passe ne sont pas identiques.")
    if errors:
        return _page(account, status, errors=errors)
    account.password_hash = ph.hash(form["new_password"])
    credentials.password_changed(account, keep=session, how="change")
    commit_request()   # the new password with its consequences
    return redirect(url_for("selfservice.overview", done="password"))


@bp.route("/account/consents/<client_id>/revoke", methods=["POST"])
@signed_in
def revoke_consent(session, account, client_id):
    if consents.withdraw(account.id, client_id):
        commit_request()
    return redirect(url_for("selfservice.overview", done="consent"))


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


@bp.route("/account/export")
@signed_in
def export(session, account):
    """RGPD art. 15 and 20: what the account holds, with its passkeys and second factors as
    the person sees them on their pages (name, dates, transports); never a secret, a sealed
    TOTP seed, a public key or a credential id (nothing the person could use elsewhere, and
    nothing that identifies the authenticator to a third party)."""
    data = {
        "identifier": account_identifier(account), "status": account.status,
        "created_at": account.created_at.isoformat(), "claims": account_claims(account),
        "profile": account.profile or {},
        "consents": [{"client_id": c.client_id, "scopes": c.scopes, "granted_at": c.granted_at.isoformat()}
                     for c in scoped_all(Consent, account_id=account.id)],
        "passkeys": [{"name": p.name, "created_at": _when(p.created_at), "last_used_at": _when(p.last_used_at),
                      "transports": p.transports or []}
                     for p in scoped_all(PasskeyCredential, account_id=account.id)],
        "second_factors": [{"kind": f.kind, "label": f.label, "created_at": _when(f.created_at),
                            "confirmed_at": _when(f.confirmed_at), "last_used_at": _when(f.last_used_at)}
                           for f in scoped_all(MfaFactor, account_id=account.id)],
    }
    response = make_response(json.dumps(data, ensure_ascii=False, indent=2))
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="mes-donnees-{g.tenant.slug}.json"'
    return response


@bp.route("/account/delete", methods=["POST"])
@signed_in
def delete_account(session, account):
    if account.password_hash is None:   # created through FranceConnect, no password yet
        if request.form.get("confirm_delete") != "on":
            return _page(account, 400, errors={"confirm_delete": _l("Cochez la case pour confirmer la suppression.")})
    elif refused := _password_refused(account, request.form.get("delete_password", ""),
                                             _l("Le mot de passe est incorrect.")):
        return _page(account, refused[1], errors={"delete_password": refused[0]})
    lifecycle.erase(account)
    commit_request()
    response = make_response(render_template("accounts/deleted.html"))
    sessions.clear_cookie(response)
    return response


CONTACT_PURPOSE = "contact_change"
EMAIL_TAKEN = _l("Cette adresse électronique est déjà utilisée par un autre compte.")


@bp.route("/account/contact", methods=["POST"])
@signed_in
def change_contact(session, account):
    """A new email or mobile replaces the old one only once a code sent to it is typed, and
    only from a recent authentication; the old address is told once it has changed."""
    if request.form.get("action") == "confirm":
        return _confirm_contact(account)
    raw = request.form.get("contact", "").strip()
    field, channel = ("email", "email") if "@" in raw else ("phone_number", "sms")
    result = validator("email" if field == "email" else "mobile_phone")(raw)
    if not result.passing:
        return _page(account, 400, errors={"contact": tr(result.messages[0])})
    refused = _reauthentication_refused(session, account)
    if refused:
        return _page(account, refused[1], errors={"contact_password": refused[0]})
    if not verification.address_allows():
        return _page(account, 429, errors={"contact": verification.MESSAGES["too_many_requests"]})
    if channel == "email" and _email_taken(result.value, account):
        return _page(account, 400, errors={"contact": EMAIL_TAKEN})
    outcome = verification.request_code(CONTACT_PURPOSE, account.id, channel, result.value)
    if not outcome.ok:
        return _page(account, 429, errors={"contact": outcome.message})
    deliver(channel, result.value, "email_change_code", {"code": outcome.secret})
    return redirect(url_for("selfservice.overview", done="contact_sent"))


def _recent_login(session) -> bool:
    window = current_app.config["IDP_SETTINGS"].verification.recent_authentication
    return session is not None and time.time() - session.auth_time <= window


REAUTHENTICATE = {   # what is asked, per change: (log in again, type the password)
    "contact": (_l("Pour modifier vos coordonnées, reconnectez-vous d'abord : votre connexion date de plus de "
                   "quelques minutes."), _l("Pour modifier vos coordonnées, saisissez votre mot de passe.")),
    "franceconnect": (_l("Pour retirer le lien avec FranceConnect, ajoutez d'abord un mot de passe."),
                      _l("Pour retirer le lien avec FranceConnect, saisissez votre mot de passe.")),
}


def _reauthentication_refused(session, account, change: str = "contact") -> tuple[str, int] | None:
    """None when the login is recent or the password typed again is right, else why not
    (and the status)."""
    if _recent_login(session):
        return None
    if account.password_hash is None:   # created through FranceConnect: a new login proves it
        return REAUTHENTICATE[change][0], 400
    password = request.form.get(f"{change}_password", "")   # the page's field: contact_password, ...
    if not password:
        return REAUTHENTICATE[change][1], 400
    return _password_refused(account, password, _l("Le mot de passe est incorrect."))


def _password_refused(account, typed: str, wrong: str) -> tuple[str, int] | None:
    """None when the password typed again is right, else the refusal and its status: each
    try counts as a login failure (:func:`.login.password_again`), and once the login
    throttling locks the account's identifier or this address, 429 with its wait."""
    outcome = password_again(account, typed)
    if outcome.code is None:
        return None
    return (outcome.message, 429) if outcome.code == "throttled" else (wrong, 400)


def _email_taken(email: str, account) -> bool:
    """With the tenant's ``unique_email``, another account of the tenant has this email.
    Asked after the per-address send limit has counted the request, so that a session
    cannot probe addresses without limit; checked again at confirmation (a race)."""
    signup = g.tenant.config.signup
    return bool(signup and signup.unique_email) and email_in_use(email, account.id)


def _confirm_contact(account):
    row = verification.pending(CONTACT_PURPOSE, account.id)
    if row is not None and row.channel == "email" and _email_taken(row.destination, account):
        return _page(account, 400, errors={"contact_code": EMAIL_TAKEN})
    outcome = verification.check(CONTACT_PURPOSE, account.id, request.form.get("code", ""))
    if not outcome.ok or row is None:
        return _page(account, 400, errors={"contact_code": outcome.message})
    row = outcome.verification
    old = (account.email, bool(account.email_verified), account.phone_number)
    if row.channel == "email":
        account.email, account.email_verified = row.destination, True
    else:
        account.phone_number = row.destination
        account.profile = {**(account.profile or {}), "phone_number_verified": True}
    commit_request()
    credentials.contact_changed(account, row.channel, *old, new_value=row.destination)
    audit("contact.changed", account=account.id, channel=row.channel)
    return redirect(url_for("selfservice.overview", done="contact"))


@bp.route("/account/sessions/<int:number>/end", methods=["POST"])
@signed_in
def end_session(session, account, number):
    """End one of the person's other sessions (its tokens are revoked)."""
    rows = [row for row in scoped_all(SsoSession, account_id=account.id) if row.id != session.id]
    rows.sort(key=lambda r: r.created_at)
    if 0 <= number < len(rows):
        credentials.end_session(rows[number])
        commit_request()
    return redirect(url_for("selfservice.overview", done="session"))
