"""Login and consent pages of an interaction."""

from __future__ import annotations

import base64

from flask import g, redirect, render_template, request, session, url_for
from flask import session as browser_session
from flask_babel import lazy_gettext as _l
from policies import validator

from idp.accounts.claim_labels import CLAIM_LABELS, in_reading_order
from idp.accounts.login import authenticate
from idp.accounts.service import email_in_use
from idp.accounts.lifecycle import choose_personal_code
from idp.web.cookies import clear_tenant_cookie, set_tenant_cookie
from idp.clients.model import find_client
from idp.clients.profiles import profile_of
from idp.oidc import consent as consents
from idp.oidc import interactions, sessions
from idp.oidc.claims import account_claims, names_for_scope, parse_claims_parameter
from idp.oidc.finish import finish, finish_step
from idp.oidc.views import deny
from idp.security.vault import vault
from idp.signup import limits
from idp.signup.delivery import send_code
from idp.store.db import scoped_first
from idp.store.models import Account
from idp.verification import codes as verification
from idp.web.formats import register as register_formats
from idp.web.i18n import tr
from idp.web.tenancy import tenant_blueprint

bp = tenant_blueprint("accounts", __name__)
register_formats(bp)   # French dates, Paris times and phones on every page (idp/web/formats.py)
# the pages of the steps an authorization request may wait for (idp/oidc/interactions.py)
bp.record_once(lambda state: interactions.register_page(state, "login", "accounts.login"))
bp.record_once(lambda state: interactions.register_page(state, "email", "accounts.add_email"))
bp.record_once(lambda state: interactions.register_page(state, "consent", "accounts.consent"))

SCOPE_LABELS = {
    "openid": _l("Vous identifier"),
    "profile": _l("Votre nom, prénom et date de naissance"),
    "email": _l("Votre adresse électronique"),
    "phone": _l("Votre numéro de téléphone"),
    "address": _l("Votre adresse postale"),
    "identite_pivot": _l("Votre identité (nom, prénoms, sexe, date et lieu de naissance)"),
    "offline_access": _l("Rester connecté à ce service"),
}


def _expired():
    return render_template("oidc/expired.html"), 400


REMEMBER_COOKIE = "idp_remember"


def _remembered() -> str:
    """The identifier this browser asked to remember (sealed in its cookie), or ''."""
    raw = request.cookies.get(REMEMBER_COOKIE)
    if not raw:
        return ""
    try:
        return vault().unseal(g.tenant.slug, base64.urlsafe_b64decode(raw))
    except Exception:  # a stale or forged cookie is simply ignored
        return ""


def _remember(response, identifier: str | None) -> None:
    if identifier is None:
        if REMEMBER_COOKIE in request.cookies:   # nothing to forget in a browser that holds none
            clear_tenant_cookie(response, REMEMBER_COOKIE)
        return
    sealed = base64.urlsafe_b64encode(vault().seal(g.tenant.slug, identifier)).decode()
    set_tenant_cookie(response, REMEMBER_COOKIE, sealed, 400 * 86400)


def _login_page(handle, client, interaction, hint: str | None = None):
    """The login form; after a good password the engine logs the person in and goes on with
    ``interaction`` (or, without one, to the account pages)."""
    scheme = g.tenant.identifier_scheme
    default = hint or _remembered()
    form = {"identifier": request.form.get("identifier", default), "remember": bool(_remembered())}
    outcome = None
    if request.method == "POST":
        outcome = authenticate(form["identifier"], request.form.get("password", ""))
        if outcome.code == "must_choose_code":
            session["choose_code"] = {"tenant": g.tenant.slug, "account": outcome.account.id, "handle": handle}
            return redirect(url_for("accounts.choose_code"))
        if outcome.account is not None:
            remember = request.form.get("remember") == "on"
            # on with the relying party's request in this same response (to the client, or to
            # the consent page): one round trip fewer than a redirect to ``/resume``
            response = finish(interaction, outcome.account, acr=g.tenant.config.acr_default, amr=["pwd"],
                              remember=remember,
                              respond=None if interaction is not None else _to_account_pages)
            _remember(response, scheme.check(form["identifier"]).value if remember else None)
            return response
    status = 400 if outcome else 200
    return render_template("accounts/login.html", client=client, scheme=scheme, form=form,
                           outcome=outcome, handle=handle), status


@bp.route("/interaction/<handle>", methods=["GET", "POST"])
def login(handle):
    row = interactions.load(handle)
    if row is None:
        return _expired()
    g.ui_locales = row.params.get("ui_locales")  # OIDC Core §3.1.2.1: the RP's preferred languages
    return _login_page(handle, find_client(row.client_id), row, row.params.get("login_hint"))


def _to_account_pages(resume_url):
    """Logged in without a relying party's request: to the account pages."""
    return redirect(resume_url or url_for("selfservice.overview"))


@bp.route("/interaction/<handle>/abort", methods=["POST"])
def abort(handle):
    """"Retourner sur FranceConnect" (or any client's "cancel"): the person does not log in,
    and the client is answered ``access_denied`` with its ``state`` (OIDC Core §3.1.2.6), as
    FranceConnect asks of its identity providers' login pages (franceconnect.md §7)."""
    row = interactions.load(handle)
    if row is None:
        return _expired()
    return deny(row)


@bp.route("/login", methods=["GET", "POST"])
def direct_login():
    """Logging in to the account pages themselves (no relying party involved)."""
    return _login_page(None, None, None)


@bp.route("/interaction/<handle>/consent", methods=["GET", "POST"])
def consent(handle):
    row = interactions.load(handle)
    session = sessions.current_session()
    if row is None or session is None:
        return _expired()
    g.ui_locales = row.params.get("ui_locales")
    client = find_client(row.client_id)
    needed = consent_needed(client, row.params)
    if request.method == "POST":
        if request.form.get("decision") != "allow":
            return deny(row)
        consents.give(scoped_first(Account, id=session.account_id), client, needed, _shown_on(row))
        return finish_step(row, "consent", respond=redirect)  # the consent and the step: one transaction
    account = scoped_first(Account, id=session.account_id)
    _remember_shown(row, consents.releasable(account, client, needed))
    return render_template("accounts/consent.html", client=client, scopes=consent_items(needed, client, account),
                           handle=handle)


SHOWN_KEY = "consent_shown"


def _remember_shown(row, claims: set) -> None:
    """The claims this page listed, kept in the browser's session until it is answered: what
    is recorded as consented is what was shown, not what the account holds at the click."""
    browser_session[SHOWN_KEY] = {"interaction": row.id, "claims": sorted(claims)}


def _shown_on(row) -> set:
    shown = browser_session.pop(SHOWN_KEY, None)
    if not isinstance(shown, dict) or shown.get("interaction") != row.id:
        return set()   # no page shown for this request: nothing beyond the scopes is granted
    return {c for c in shown.get("claims") or () if isinstance(c, str)}


def consent_needed(client, params: dict) -> consents.Asked:
    """What the stored request asks (its ``claims`` were checked by /authorize already)."""
    try:
        claims_request = parse_claims_parameter(params.get("claims"))
    except ValueError:
        claims_request = None
    return consents.asked(client, params.get("scope"), claims_request)


def consent_items(needed: consents.Asked, client, account=None) -> list[tuple[str, str]]:
    """What the service will receive, in words: each piece of data the account has, claim
    by claim (a scope's label would promise data the account does not hold); being
    identified and staying connected are said as such. Without an account, every claim."""
    held = set(account_claims(account)) if account is not None else None
    items: dict[str, str] = {}
    for scope in needed.scopes:
        if scope in ("openid", "offline_access"):
            items[scope] = SCOPE_LABELS[scope]
            continue
        items.update(_claims_in_words(names_for_scope(scope, client.profile), held))
    items.update(_claims_in_words(needed.claims, held))
    return list(items.items())


def shared_in_words(consent, client, account) -> list[str]:
    """What a service receives under a remembered consent, in words, as its page said it."""
    granted = consents.Asked(scopes=tuple(consent.scopes or ()), claims=tuple(consent.claims or ()))
    return [label for _, label in consent_items(granted, client, account)]


def _claims_in_words(names, held: set | None) -> list[tuple[str, str]]:
    shown = [c for c in in_reading_order(names) if (held is None or c in held) and not c.endswith("_verified")]
    return [(c, CLAIM_LABELS.get(c, c)) for c in shown]


@bp.route("/personal-code", methods=["GET", "POST"])
def choose_code():
    """After logging in with a provisional code: choose the personal code, then go on."""
    pending = session.get("choose_code")
    if not pending or pending["tenant"] != g.tenant.slug:
        return redirect(url_for("accounts.direct_login"))
    account = scoped_first(Account, id=pending["account"])
    errors = {}
    if request.method == "POST":
        errors = choose_personal_code(account, request.form.get("password", ""), request.form.get("password_repeat", ""))
        if not errors:
            session.pop("choose_code", None)
            handle = pending.get("handle")
            row = interactions.load(handle) if handle else None
            return finish(row, account, acr=g.tenant.config.acr_default, amr=["pwd"], respond=_to_account_pages)
    return render_template("accounts/choose_code.html", errors=errors,
                           requirements=g.tenant.password_policy.requirements()), 400 if errors else 200


EMAIL_PURPOSE = "interaction_email"


@bp.route("/interaction/<handle>/email", methods=["GET", "POST"])
def add_email(handle):
    """An email the relying party cannot do without (FranceConnect, this tenant being its
    identity provider): typed, confirmed by a code sent to it, saved, then the request goes on.

    Only that: an account without an email, in FranceConnect's request, after a recent
    login (:func:`idp.oidc.authorize.check_required_email`). The email becomes a
    way to recover the account; were the page open to any interaction, a session left open
    would replace the account's email without its password and without telling the old
    address, bypassing the recent authentication /account asks. "In use" is an answer about
    someone else's account: counted per address, as in the signups (:mod:`idp.signup.limits`)."""
    row = interactions.load(handle)
    session_row = sessions.current_session()
    if row is None or session_row is None:
        return _expired()
    g.ui_locales = row.params.get("ui_locales")
    account = scoped_first(Account, id=session_row.account_id)
    if account.email or not profile_of(find_client(row.client_id)).requires_email:
        return redirect(url_for("oidc.resume", handle=handle))      # nothing to add here
    if not sessions.recent(session_row):
        return redirect(url_for("accounts.login", handle=handle))
    errors, notice, email, status = {}, None, request.form.get("email", "").strip(), 400
    pending = verification.pending(EMAIL_PURPOSE, account.id)
    if request.method == "POST" and request.form.get("action") == "confirm" and pending is not None:
        outcome = verification.check(EMAIL_PURPOSE, account.id, request.form.get("code", ""))
        if outcome.ok:
            account.email, account.email_verified = pending.destination, True
            # committed on its own, unlike a new session: a confirmed email is the person's
            # whatever happens next, and the request can still be resumed at /resume
            return finish_step(row, "email")
        errors["code"] = outcome.message
        email = pending.destination
    elif request.method == "POST":
        result = validator("email")(email)
        if not email:
            errors["email"] = _l("Ce champ est obligatoire.")
        elif not result.passing:
            errors["email"] = tr(result.messages[0])
        elif refused := limits.check():
            errors["email"], status = refused, 429
        elif email_in_use(result.value, account.id):
            errors["email"] = _l("Cette adresse électronique est déjà utilisée par un autre compte.")
        elif refused := send_code(EMAIL_PURPOSE, account.id, "email", result.value):
            errors["email"] = refused
        else:
            notice, email, pending = _l("Un code de confirmation a été envoyé à cette adresse. Saisissez-le ci-dessous."), \
                result.value, verification.pending(EMAIL_PURPOSE, account.id)
    return render_template("accounts/add_email.html", handle=handle, client=find_client(row.client_id), email=email,
                           errors=errors, notice=notice, code_sent=pending is not None), status if errors else 200

