"""Login and consent pages of an interaction."""

from __future__ import annotations

from flask import current_app, g, make_response, redirect, render_template, request, url_for

from ..db import db, scoped_first
from ..models import Consent
from ..oidc import interactions, sessions
from ..oidc.clients import find_client
from ..oidc.claims import SCOPE_CLAIMS
from ..tenancy import tenant_blueprint
from .login import authenticate

bp = tenant_blueprint("accounts", __name__)

SCOPE_LABELS = {
    "openid": "Vous identifier",
    "profile": "Votre nom, prénom et date de naissance",
    "email": "Votre adresse électronique",
    "phone": "Votre numéro de téléphone",
    "address": "Votre adresse postale",
    "identite_pivot": "Votre identité (nom, prénoms, sexe, date et lieu de naissance)",
    "offline_access": "Rester connecté à ce service",
}


def _expired():
    return render_template("oidc/expired.html"), 400


@bp.route("/interaction/<handle>", methods=["GET", "POST"])
def login(handle):
    row = interactions.load(handle)
    if row is None:
        return _expired()
    client = find_client(row.client_id)
    scheme = g.tenant.identifier_scheme
    form = {"identifier": request.form.get("identifier", row.params.get("login_hint", ""))}
    outcome = None
    if request.method == "POST":
        outcome = authenticate(form["identifier"], request.form.get("password", ""))
        if outcome.account is not None:
            session_row, cookie = sessions.start_session(
                outcome.account, g.tenant.config.acr_default, ["pwd"])
            interactions.mark_done(row, "login")
            response = redirect(url_for("oidc.resume", handle=handle))
            sessions.set_cookie(response, cookie)
            return response
    status = 400 if outcome else 200
    return render_template("accounts/login.html", client=client, scheme=scheme, form=form,
                           outcome=outcome, handle=handle), status


@bp.route("/interaction/<handle>/consent", methods=["GET", "POST"])
def consent(handle):
    row = interactions.load(handle)
    session = sessions.current_session()
    if row is None or session is None:
        return _expired()
    client = find_client(row.client_id)
    scopes = [s for s in client.get_allowed_scope(row.params.get("scope", "")).split() if s in SCOPE_CLAIMS or s == "offline_access"]
    if request.method == "POST":
        if request.form.get("decision") != "allow":
            from ..oidc.views import deny

            return deny(row)
        granted = scoped_first(Consent, account_id=session.account_id, client_id=client.get_client_id())
        if granted is None:
            granted = Consent(tenant=g.tenant.slug, account_id=session.account_id,
                              client_id=client.get_client_id(), scopes=[])
            db.session.add(granted)
        granted.scopes = sorted(set(granted.scopes or []) | set(scopes))
        db.session.commit()
        interactions.mark_done(row, "consent")
        return redirect(url_for("oidc.resume", handle=handle))
    labels = [(s, SCOPE_LABELS.get(s, s)) for s in scopes]
    return render_template("accounts/consent.html", client=client, scopes=labels, handle=handle)
