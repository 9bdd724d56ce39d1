"""The FranceConnect journey: the button, FranceConnect's callback, linking an account (one
or several match: the person proves which is theirs with its password), and the way back
from FranceConnect's logout. A new account is :mod:`.new_account`; the link as the holder
sees and removes it in /account is :mod:`.account_link` (both on this blueprint).

Every failure ends on a French page with a retry button and an audit event; nothing is
created or linked before the upstream identity is fully verified (providers/).
"""

from __future__ import annotations

import datetime
import hmac
import time

from flask_babel import lazy_gettext as _l
from policies import cog

from sqlalchemy.exc import IntegrityError

from flask import abort, g, make_response, redirect, render_template, request, session, url_for

from providers.oidc import PendingAuthorization, UpstreamError

from idp.accounts.login import authenticate
from idp.security.audit import audit
from idp.store.db import db, new_secret, utcnow
from idp.store.models import Account
from idp.oidc import interactions
from idp.oidc.finish import finish
from idp.oidc.logout import register_upstream_logout
from idp.web.metrics import count_login
from idp.clients.model import find_client
from idp.web.headers import register_form_action_source
from idp.clients.profiles import profile_of
from idp.web.tenancy import tenant_blueprint
from idp.federation import linking, provider, state

bp = tenant_blueprint("franceconnect", __name__)
# a local logout of a session opened through FranceConnect ends FranceConnect's too (below)
bp.record_once(lambda state: register_upstream_logout(state, upstream_logout))
# its button's form ends, through a redirect, at FranceConnect (CSP form-action, idp/web/headers.py)
bp.record_once(lambda state: register_form_action_source(state, _form_action_origin))
LOGOUT = "franceconnect_logout"    # Flask session key: where to go after FranceConnect's logout

UNVERIFIED = _l("La réponse de FranceConnect n'a pas pu être vérifiée. Par sécurité, la connexion est refusée.")
MESSAGES = {
    "access_denied": _l("Vous avez annulé la connexion avec FranceConnect."),
    "callback_error": _l("FranceConnect n'a pas pu vous identifier."),
    "state_mismatch": _l("Cette demande de connexion FranceConnect a expiré ou ne vient pas de ce navigateur."),
    "no_pending": _l("Cette demande de connexion FranceConnect a expiré ou ne vient pas de ce navigateur."),
    "acr_too_low": _l("Le niveau de garantie de votre identité transmis par FranceConnect est insuffisant "
                      "pour ce service."),
    "upstream_unavailable": _l("FranceConnect ne répond pas pour le moment. Réessayez dans quelques minutes."),
    "already_done": _l("Votre compte est déjà relié à FranceConnect : connectez-vous avec FranceConnect."),
    "circular": _l("Vous venez de FranceConnect : connectez-vous ici avec votre identifiant et votre mot de passe."),
    "account_pending": _l("Votre compte sera ouvert après la vérification de votre justificatif d'identité. "
                          "Vous serez prévenu par courriel."),
    "account_unavailable": _l("Le compte relié à votre identité FranceConnect n'est pas actif. "
                              "Contactez le service."),
}

LINK_REFUSED = {   # linking.refusal_to_link's reasons
    "other_account": _l("Ce compte ne correspond pas à l'identité transmise par FranceConnect."),
    "already_linked": _l("Ce compte est déjà relié à une autre identité FranceConnect."),
}


def _enabled() -> None:
    if not provider.enabled():
        abort(404)


def _failure(code: str, detail: str = "", interaction: str | None = None, status: int | None = None):
    audit("franceconnect.login", "failure", reason=code, detail=detail or None)
    count_login("franceconnect", "inactive" if code in ("account_pending", "account_unavailable") else "failure")
    message = MESSAGES.get(code, UNVERIFIED)
    status = status or (502 if code == "upstream_unavailable" else 400)
    handle = interaction if interaction and interactions.load(interaction) else None
    response = make_response(render_template("franceconnect/error.html", message=message, handle=handle,
                                             retry=code not in ("circular", "already_done")), status)
    state.clear_cookie(response)
    state.clear_cookie(response, state.REDIRECT)
    return response


@bp.app_template_filter("french_date")
def french_date(value: str) -> str:
    """The pivot's birthdate as the other pages write a date (formats.long_date):
    ``1984-03-12`` → ``12 mars 1984``. A presumed day or month ("00", born where the civil
    registry has none) is left out rather than invented: ``1984-03-00`` → ``mars 1984``,
    ``1984-00-00`` → ``1984``."""
    from babel.dates import format_date


    year, _, rest = (value or "").partition("-")
    month, _, day = rest.partition("-")
    if not (year.isdigit() and month.isdigit() and day.isdigit()) or int(month) > 12:
        return value or ""
    if int(month) == 0:
        return year
    if int(day) == 0:
        return format_date(datetime.date(int(year), int(month), 1), "MMMM y", locale=current_language())
    return long_date(value)


@bp.app_template_filter("birthplace_label")
def birthplace_label(code: str, country: str = "") -> str:
    """A commune (INSEE code) or, born abroad, the country."""
    if code:
        name = cog.commune_name(code)
        return f"{name.title()} ({code})" if name else code
    name = cog.country_name(country)
    return name.title() if name else (country or "–")


# -- the button -------------------------------------------------------------------------------

@bp.route("/franceconnect/start", methods=["POST"])
def start():
    """Redirect to FranceConnect; ``interaction`` is the relying party's pending request, if any."""
    _enabled()
    handle = request.form.get("interaction") or None
    row = interactions.load(handle) if handle else None
    if row is None:
        handle = None
    elif profile_of(find_client(row.client_id)).upstream == provider.PROVIDER:
        # FranceConnect sent the person to this tenant as one of its identity providers:
        # going back to FranceConnect would loop, and vouch for FranceConnect with itself
        return _failure("circular", interaction=handle)
    prompt = "login" if row is not None and "login" in (row.params.get("prompt") or "").split() else None
    try:
        url, pending = provider.client().authorization_url(provider.callback_url(), prompt=prompt)
    except UpstreamError as error:
        return _failure(error.code, error.detail, handle)
    earlier = state.load(state.REDIRECT)      # a button pressed twice: only the last one counts
    if earlier is not None:
        state.discard(earlier)
    kept = state.park({"pending": pending.to_dict(), "interaction": handle}, state.REDIRECT)
    audit("franceconnect.redirect", client_id=row.client_id if row is not None else None)
    response = redirect(url, 303)
    state.set_cookie(response, kept, state.REDIRECT)
    return response


@bp.route("/franceconnect/callback")
def callback():
    _enabled()
    stored = state.load(state.REDIRECT)
    if stored is None:
        return _failure("no_pending")
    state.discard(stored)                     # single use, whatever the outcome
    handle = stored.data.get("interaction")
    pending = PendingAuthorization.from_dict(stored.data["pending"])
    if time.time() - pending.created_at > state.TTL:    # FranceConnect's session is over by then
        return _failure("no_pending", "pending authorization too old", handle)
    try:
        identity = provider.client().complete(request.args, pending)
    except UpstreamError as error:
        return _failure(error.code, error.detail, handle)
    upstream = {"subject": identity.subject, "acr": identity.acr, "amr": list(identity.amr),
                "id_token": identity.id_token}
    account, link = linking.linked_account(identity.subject)
    if link is not None:
        if account is None or account.status != "active":
            code = "account_pending" if account is not None and account.status == "pending_document" \
                else "account_unavailable"
            return _failure(code, interaction=handle, status=403)
        link.last_login_at = utcnow()
        audit("franceconnect.login", account=account.id, path="linked", acr=identity.acr)
        return _log_in(account, upstream, handle)
    earlier = state.load()               # a journey left half-way in this browser
    if earlier is not None:
        state.discard(earlier)
    pivot = identity.pivot()
    data = {"identity": upstream, "pivot": pivot, "interaction": handle,
            "email": identity.email or "", "preferred_username": identity.preferred_username or ""}
    matches = linking.matching_accounts(pivot)
    target = "franceconnect.complete"
    if matches:      # one account or several: the person proves which is theirs, or says none is
        data["candidates"] = [account.id for account in matches]
        target = "franceconnect.link"
    audit("franceconnect.callback", path="link" if matches else "new", candidates=len(matches))
    response = redirect(url_for(target))
    state.set_cookie(response, state.park(data))
    state.clear_cookie(response, state.REDIRECT)
    return response


def _log_in(account: Account, upstream: dict, handle: str | None, extra_amr: tuple[str, ...] = ()):
    """Open the session (amr ``fc`` + FranceConnect's, acr from FranceConnect) and go on:
    back to the relying party's request, or to the account page."""
    count_login("franceconnect", "success")
    amr = ["fc", *[m for m in upstream.get("amr") or [] if m != "fc"], *extra_amr]
    row = interactions.load(handle) if handle else None
    response = finish(row, account, acr=upstream.get("acr") or g.tenant.config.acr_default,
                      amr=list(dict.fromkeys(amr)), upstream=(provider.PROVIDER, upstream["id_token"]),
                      respond=lambda resume_url: redirect(resume_url or url_for("selfservice.overview")))
    state.clear_cookie(response)
    state.clear_cookie(response, state.REDIRECT)
    return response


def _parked():
    parked = state.load()
    if parked is None:
        return None, (render_template("franceconnect/error.html", message=MESSAGES["no_pending"], handle=None), 400)
    return parked, None


# -- an existing account: prove it is yours, then link --------------------------------------

@bp.route("/franceconnect/link", methods=["GET", "POST"])
def link():
    """The pivot matches one account or more: the person logs in to theirs with its password
    (a namesake cannot), or says none is theirs and goes on to a new account. With several
    (duplicates, or namesakes born the same day in the same place) the page says so and
    the account logged in to must be one of them."""
    _enabled()
    parked, problem = _parked()
    if problem:
        return problem
    candidates = linking.candidates(parked.data.get("candidates"))
    if not candidates or (request.method == "POST" and request.form.get("action") == "not_mine"):
        # "Ce n'est pas mon compte": a namesake's; go on to create one's own
        parked.data["declined"] = [*(parked.data.get("declined") or []), *parked.data.pop("candidates", [])]
        parked.save()
        if candidates:
            audit("franceconnect.link", "declined", candidates=len(candidates))
        return redirect(url_for("franceconnect.complete"))
    error, identifier = None, request.form.get("identifier", "")
    if request.method == "POST":
        outcome = authenticate(identifier, request.form.get("password", ""))
        chosen = outcome.account
        if chosen is None:
            error = outcome.message or _l("Identifiant ou mot de passe incorrect.")
        elif refused := linking.refusal_to_link(chosen, candidates, parked.pivot):
            audit("franceconnect.link", "failure", reason=refused)
            error = LINK_REFUSED[refused]
        else:
            return _link_and_log_in(parked, lambda: chosen, "franceconnect.link", extra_amr=("pwd",))
    return render_template("franceconnect/link.html", pivot=parked.pivot, identifier=identifier, error=error,
                           several=len(candidates) > 1, scheme=g.tenant.identifier_scheme), 400 if error else 200


def _link_and_log_in(parked, account_of, event: str, extra_amr: tuple[str, ...] = (), log_in: bool = True,
                     on_conflict=None):
    """Write the account (``account_of()``: the matched one, or a new one) and its link,
    forget the parked identity, log in (or, for an account waiting for an operator's check,
    say so). The unique constraints make a form sent twice end on a clear page rather than
    in a second account or link; ``on_conflict()`` answers instead when given (a new
    account whose identifier a simultaneous signup took). The holder of an existing account
    is told of the link."""
    try:
        account = account_of()
        linking.link(account, parked.identity["subject"])
        state.discard(parked, commit=False)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return on_conflict() if on_conflict else _failure("already_done")
    audit(event, account=account.id, status=account.status)
    if not log_in:
        return _pending(account)
    response = _log_in(account, parked.identity, parked.interaction, extra_amr=extra_amr)
    if event == "franceconnect.link":
        linking.tell_linked(account)
    return response


def _pending(account: Account):
    """An account that opens after an operator's check (a supporting document to send)."""
    db.session.commit()
    remember_pending(account)
    response = make_response(render_template("signup/pending.html", account=account))
    state.clear_cookie(response)
    return response


@bp.route("/franceconnect/cancel", methods=["POST"])
def cancel():
    _enabled()
    parked = state.load()
    handle = parked.interaction if parked else None
    if parked is not None:
        state.discard(parked)
    audit("franceconnect.cancelled")
    response = make_response(render_template("franceconnect/cancelled.html",
                                             handle=handle if handle and interactions.load(handle) else None))
    state.clear_cookie(response)
    return response


# -- logout -----------------------------------------------------------------------------------

def _form_action_origin(tenant) -> str | None:
    return provider.form_action_origin() if tenant.config.franceconnect and provider.enabled() else None


def upstream_logout(response, upstream: tuple[str, str]):
    """After the local logout: end the FranceConnect session too (RP-initiated logout at
    FranceConnect, franceconnect.md §6), then come back to where ``response`` was going."""
    name, id_token = upstream
    if name != provider.PROVIDER or not provider.enabled():
        return response
    try:
        target = provider.client().end_session_url(id_token_hint=id_token,
                                                   post_logout_redirect_uri=provider.logout_callback_url(),
                                                   state=new_secret(24))
    except UpstreamError as error:
        audit("franceconnect.logout", "failure", reason=error.code, detail=error.detail)
        return response
    if not target:
        return response
    from urllib.parse import parse_qs, urlsplit

    sent_state = parse_qs(urlsplit(target).query)["state"][0]
    session[LOGOUT] = {"tenant": g.tenant.slug, "state": sent_state,
                       "next": response.location if response.status_code in (301, 302, 303) else None}
    audit("franceconnect.logout", path="redirect")
    upstream_response = redirect(target, 303)
    for header in response.headers.getlist("Set-Cookie"):
        upstream_response.headers.add("Set-Cookie", header)
    return upstream_response


@bp.route("/franceconnect/logout-callback")
def logout_callback():
    stored = session.pop(LOGOUT, None)
    if not stored or stored.get("tenant") != g.tenant.slug or \
            not hmac.compare_digest(str(stored.get("state")), request.args.get("state", "")):
        audit("franceconnect.logout", "failure", reason="state_mismatch")
        return render_template("oidc/logged_out.html"), 200
    audit("franceconnect.logout", path="returned")
    if stored.get("next"):
        return redirect(stored["next"], 303)
    return render_template("oidc/logged_out.html")


@bp.route("/franceconnect/jwks.json")
def encryption_keys():
    """FranceConnect+ encrypts its tokens to these keys (the IdP's published encryption JWKS)."""
    _enabled()
    response = make_response(provider.client().public_jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


from idp.federation import account_link, new_account  # noqa: E402,F401  (their routes are on this blueprint)
from idp.web.formats import long_date
from idp.web.i18n import current_language
from idp.signup.upload import remember_pending
