"""The passkey pages: ``{issuer}/account/passkeys`` (add, name, remove) and the login with a
passkey (``{issuer}/passkeys/login``) where the tenant allows it (``[tenants.<slug>.mfa]
passkey_login``). The ceremonies and their checks are :mod:`idp.mfa.passkeys`; the browser's
side is ``static/passkeys.js``: it asks the options (JSON, a POST with the CSRF token), calls
``navigator.credentials.create/get`` and posts the answer with the page's form, so the
server answers with a redirect as any login form does (on to the relying party).

Adding or removing a passkey asks a recent authentication (``[verification]
recent_authentication``), as changing the email does: a session left open does not enrol
someone else's authenticator."""

from __future__ import annotations

from flask import abort, g, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from idp.accounts.login import LoginOutcome
from idp.accounts.selfservice import signed_in
from idp.accounts.views import _to_account_pages
from idp.clients.model import find_client
from idp.mfa import passkeys
from idp.mfa.passkeys import PasskeyError
from idp.oidc import interactions, sessions
from idp.oidc.finish import finish
from idp.store.db import commit_request
from idp.web.formats import register as register_formats
from idp.web.tenancy import tenant_blueprint

bp = tenant_blueprint("passkeys", __name__)
register_formats(bp)

REAUTHENTICATE = _l("Pour ajouter ou retirer une clé d'accès, reconnectez-vous d'abord : votre connexion "
                    "date de plus de quelques minutes.")


def _page(account, session, status=200, errors=None, done=None):
    return render_template("mfa/passkeys.html", passkeys=passkeys.credentials_of(account),
                           recent=sessions.recent(session), errors=errors or {}, done=done), status


@bp.route("/account/passkeys")
@signed_in
def manage(session, account):
    return _page(account, session, done=request.args.get("done"))


@bp.route("/account/passkeys/options", methods=["POST"])
@signed_in
def registration_options(session, account):
    if not sessions.recent(session):
        return jsonify(error="reauthenticate", message=str(REAUTHENTICATE)), 403
    try:
        passkeys.check_throttle("register", account.id)
    except PasskeyError as error:
        return jsonify(error=error.code, message=error.message), 429
    handle, options = passkeys.registration_options(account)
    return jsonify(handle=handle, publicKey=options)


@bp.route("/account/passkeys", methods=["POST"])
@signed_in
def add(session, account):
    if not sessions.recent(session):
        return _page(account, session, 403, errors={"form": REAUTHENTICATE})
    try:
        name = passkeys.clean_name(request.form.get("name"))
        passkeys.check_throttle("register", account.id)
        passkeys.register(account, request.form.get("handle"), request.form.get("credential"), name)
    except PasskeyError as error:
        passkeys.failed("register", error, account.id)
        commit_request()   # the challenge used up, whatever the answer
        field = "name" if error.code == "name" else "form"
        return _page(account, session, 429 if error.code == "throttled" else 400, errors={field: error.message})
    commit_request()   # the passkey, then the message telling the person
    return redirect(url_for("passkeys.manage", done="added"))


@bp.route("/account/passkeys/<passkey_id>/rename", methods=["POST"])
@signed_in
def rename(session, account, passkey_id):
    row = passkeys.credential_of(account, passkey_id)
    if row is None:
        abort(404)
    try:
        passkeys.rename(account, row, passkeys.clean_name(request.form.get("name")))
    except PasskeyError as error:
        return _page(account, session, 400, errors={"form": error.message})
    commit_request()
    return redirect(url_for("passkeys.manage", done="renamed"))


@bp.route("/account/passkeys/<passkey_id>/remove", methods=["POST"])
@signed_in
def remove(session, account, passkey_id):
    row = passkeys.credential_of(account, passkey_id)
    if row is None:
        abort(404)
    if not sessions.recent(session):
        return _page(account, session, 403, errors={"form": REAUTHENTICATE})
    passkeys.remove(account, row)
    commit_request()   # gone, then the person is told
    return redirect(url_for("passkeys.manage", done="removed"))


# -- the login with a passkey ----------------------------------------------------------

def _allowed() -> None:
    if not g.tenant.config.mfa.passkey_login:
        abort(404)


def _interaction():
    """The pending authorization request named by the form (None for the account pages);
    404 for a handle that names none (expired, or never)."""
    handle = request.form.get("interaction") or None
    row = interactions.load(handle) if handle else None
    if handle and row is None:
        abort(404)
    return handle, row


@bp.route("/passkeys/login/options", methods=["POST"])
def login_options():
    _allowed()
    handle, _ = _interaction()
    try:
        passkeys.check_throttle("login")
    except PasskeyError as error:
        return jsonify(error=error.code, message=error.message), 429
    challenge, options = passkeys.login_options(handle)
    return jsonify(handle=challenge, publicKey=options)


@bp.route("/passkeys/login", methods=["POST"])
def login():
    """The passkey answered: verified, then the same end as a password login, at ``eidas2``."""
    _allowed()
    handle, row = _interaction()
    try:
        passkeys.check_throttle("login")
        used = passkeys.login(request.form.get("handle"), request.form.get("credential"), handle)
    except PasskeyError as error:
        passkeys.failed("login", error)
        commit_request()   # the challenge used up
        return _refused(handle, row, error)
    return finish(row, used.account, acr=passkeys.ACR, amr=used.amr,
                  respond=None if row is not None else _to_account_pages)


def _refused(handle, row, error: PasskeyError):
    """The login page again, the refusal said where a wrong password's is."""
    if row is not None:
        g.ui_locales = row.params.get("ui_locales")
    outcome = LoginOutcome(message=error.message, code=error.code)
    return render_template("accounts/login.html", client=find_client(row.client_id) if row is not None else None,
                           scheme=g.tenant.identifier_scheme, form={"identifier": "", "remember": False},
                           outcome=outcome, handle=handle), 429 if error.code == "throttled" else 400
