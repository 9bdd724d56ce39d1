"""The second-factor pages: the ``mfa`` step of a login (one code; an account without a
factor enrols one there), and ``{issuer}/account/mfa``: enrol a TOTP, remove it, make
recovery codes (shown once).

Enrolling, like any change of the account's ways of authenticating, needs a recent login
(:func:`idp.oidc.sessions.recent`): a session left open on a shared computer must not get
someone else's authenticator added. The QR code is an SVG drawn here (``segno``): no
JavaScript, no image fetched elsewhere; the secret is shown as text beside it.
"""

from __future__ import annotations

import segno
from flask import g, redirect, render_template, request, url_for
from markupsafe import Markup

from idp.clients.model import find_client
from idp.mfa import factors, recovery, service, totp
from idp.oidc import interactions, sessions
from idp.oidc.finish import finish_step
from idp.store.db import commit_request, scoped_all, scoped_first
from idp.store.models import Account, MfaFactor
from idp.web.formats import register as register_formats
from idp.web.tenancy import tenant_blueprint

bp = tenant_blueprint("mfa", __name__)
register_formats(bp)
bp.record_once(lambda state: interactions.register_page(state, "mfa", "mfa.step"))


def _expired():
    return render_template("oidc/expired.html"), 400


def qr_svg(uri: str) -> Markup:
    """The ``otpauth://`` URI as an inline SVG (its text is ours: segno escapes nothing else)."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, border=2, title="QR code"))


def _enrolment(account):
    factor = totp.begin(account)
    link = totp.uri(factor, service.account_label(account))
    return factor, {"qr": qr_svg(link), "secret": totp.secret_of(factor), "uri": link}


@bp.route("/interaction/<handle>/mfa", methods=["GET", "POST"])
def step(handle):
    """The second factor of a login or of a step up: one code (TOTP, or a recovery code
    with "Utiliser un code de secours"); an account without a factor enrols a TOTP here,
    its first code being the second factor of this login."""
    row = interactions.load(handle)
    session = sessions.current_session()
    if row is None or session is None:
        return _expired()
    g.ui_locales = row.params.get("ui_locales")
    account = scoped_first(Account, id=session.account_id)
    client = find_client(row.client_id)
    if not factors.has_factor(account):
        return _enrol_in_step(handle, row, session, account, client)
    method = "recovery_code" if request.values.get("method") == "recovery_code" else "totp"
    if factors.kind(method) is None or not factors.KINDS[method].enrolled(account):
        method = next((k.name for k in factors.enrolled_kinds(account) if k.verify is not None), "totp")
    error, status = None, 200
    if request.method == "POST":
        refused, error = service.check_answer(account, method, request.form.get("code", ""))
        if refused is None:
            service.step_up(session, method)
            response = finish_step(row, "mfa")
            commit_request()   # nothing left to write: what waited for the commit (a message)
            return response
        status = 429 if refused == "throttled" else 400
        commit_request()   # the failure's burnt nothing, but a lock or a counter may be durable
    recovery_left = recovery.remaining(account) if "recovery_code" in g.tenant.config.mfa.methods else 0
    return render_template("mfa/step.html", handle=handle, client=client, method=method, error=error,
                           recovery_left=recovery_left), status


def _enrol_in_step(handle, row, session, account, client):
    if not sessions.recent(session):
        return redirect(url_for("accounts.login", handle=handle))
    factor, shown = _enrolment(account)
    error, status = None, 200
    if request.method == "POST":
        refused, error = service.confirm_totp(account, factor, request.form.get("code", ""))
        if refused is None:
            service.step_up(session, "totp")
            response = finish_step(row, "mfa")
            commit_request()
            return response
        status = 429 if refused == "throttled" else 400
    commit_request()   # the secret shown is kept for the next try
    return render_template("mfa/enrol.html", action=url_for("mfa.step", handle=handle), client=client,
                           error=error, in_login=True, **shown), status


def _signed_in():
    session = sessions.current_session()
    account = scoped_first(Account, id=session.account_id) if session is not None else None
    return session, account


@bp.route("/account/mfa")
def manage():
    session, account = _signed_in()
    if account is None:
        return redirect(url_for("accounts.direct_login"))
    rows = [f for f in scoped_all(MfaFactor, account_id=account.id) if f.confirmed_at is not None]
    return render_template("mfa/manage.html", factors=rows, recovery_left=recovery.remaining(account),
                           recent=sessions.recent(session), done=request.args.get("done"),
                           methods=g.tenant.config.mfa.methods)


@bp.route("/account/mfa/totp", methods=["GET", "POST"])
def enrol_totp():
    session, account = _signed_in()
    if account is None:
        return redirect(url_for("accounts.direct_login"))
    if not sessions.recent(session) or "totp" not in g.tenant.config.mfa.methods:
        return redirect(url_for("mfa.manage"))
    factor, shown = _enrolment(account)
    error, status = None, 200
    if request.method == "POST":
        refused, error = service.confirm_totp(account, factor, request.form.get("code", ""))
        if refused is None:
            service.step_up(session, "totp")   # the code just typed is a second factor of this session
            commit_request()
            return redirect(url_for("mfa.manage", done="enrolled"))
        status = 429 if refused == "throttled" else 400
    commit_request()
    return render_template("mfa/enrol.html", action=url_for("mfa.enrol_totp"), client=None, error=error,
                           in_login=False, **shown), status


@bp.route("/account/mfa/<factor_id>/remove", methods=["POST"])
def remove(factor_id):
    session, account = _signed_in()
    if account is None:
        return redirect(url_for("accounts.direct_login"))
    if not sessions.recent(session):
        return redirect(url_for("mfa.manage"))
    if not service.remove_factor(account, factor_id):
        return redirect(url_for("mfa.manage"))
    commit_request()
    return redirect(url_for("mfa.manage", done="removed"))


@bp.route("/account/mfa/recovery-codes", methods=["POST"])
def recovery_codes():
    session, account = _signed_in()
    if account is None:
        return redirect(url_for("accounts.direct_login"))
    if not sessions.recent(session) or "recovery_code" not in g.tenant.config.mfa.methods:
        return redirect(url_for("mfa.manage"))
    codes = service.new_recovery_codes(account)
    commit_request()
    response = render_template("mfa/recovery_codes.html", codes=codes)
    return response, 200, {"Cache-Control": "no-store"}
