"""Signup pages: ``{issuer}/signup`` and its steps, cancel, availability, activation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from idp.web.i18n import current_language, tr

from flask import abort, g, jsonify, make_response, redirect, render_template, request, url_for

from idp.verification import codes as verification
from idp.store.db import db, scoped_get
from idp.web.body_limits import allow_body
from idp.store.models import Account
from idp.oidc import interactions
from idp.oidc.finish import finish
from idp.clients.model import find_client
from idp.web.outcome import Outcome
from idp.web.tenancy import tenant_blueprint
from idp.signup import activation, existing, limits, state as signup_state, upload
from idp.signup.fields import spec
from idp.signup.identity_steps import new_provisional
from idp.signup.kinds import CHECKS
from idp.signup.pages import created_page, error_targets, recap
from idp.signup.steps import availability, chosen_in_the_open, suggestion, visible_fields

bp = tenant_blueprint("signup", __name__)
FIXED_LABELS = {"identity": "Identité", "nir": _l("Numéro de sécurité sociale"), "birth_name": "Nom",
                "birthdate": _l("Date de naissance"), "postal_code": _l("Code postal"),
                "iban_last7": _l("7 derniers caractères de l'IBAN"), "vitale_serial": _l("Numéro de série de la carte Vitale"),
                "identifier": _l("Identifiant"), "birthplace": _l("Lieu de naissance"),
                "document_kind": _l("Type de pièce d'identité"), "document_number": _l("Numéro de la pièce d'identité"),
                "contact": _l("Adresse électronique ou numéro de mobile"), "code": _l("Code reçu"), "password": _l("Mot de passe"),
                "password_repeat": _l("Confirmation du mot de passe"), "cgu": _l("Conditions générales"),
                "rgpd": _l("Données personnelles"), "channel": "Activation"}


def _config():
    config = g.tenant.config.signup
    if config is None or not config.enabled:
        abort(404)
    return config


def _step_index(name: str) -> int:
    for i, step in enumerate(_config().steps):
        if step.name == name:
            return i
    abort(404)


def _first_missing(state) -> str:
    for step in _config().steps:
        if step.name not in state.done:
            return step.name
    return _config().steps[-1].name


@bp.route("/signup")
def start():
    config = _config()
    state = signup_state.load()
    handle = None
    if state is None or request.args.get("restart"):
        interaction = request.args.get("interaction")
        state, handle = signup_state.start(config.ttl, interaction if interactions.load(interaction or "") else None)
    response = redirect(url_for("signup.step", name=_first_missing(state)))
    if handle:
        signup_state.set_cookie(response, handle, config.ttl)
    return response


@bp.route("/signup/<name>", methods=["GET", "POST"])
def step(name):
    config = _config()
    index = _step_index(name)
    state = signup_state.load()
    if state is None:
        return redirect(url_for("signup.start"))
    current = config.steps[index]
    if index > 0 and config.steps[index - 1].name not in state.done:
        return redirect(url_for("signup.step", name=_first_missing(state)))
    if current.kind == "activation":
        return activation_step(current, state)
    outcome = Outcome.next()
    if request.method == "POST":
        outcome = CHECKS[current.kind](current, request.form, state)
        if outcome.kind == "finish":
            return _finished_page(state, outcome.finished)
        if outcome.kind == "next":
            return _next_step(config, current, index, state)
        state.save()
    return _render(current, index, state, outcome.errors, notice=outcome.notice), outcome.status


def _next_step(config, current, index, state):
    """The step is done: the next one, or the account at the last."""
    if current.name not in state.done:
        state.done.append(current.name)
    state.row.step = current.name
    if index + 1 == len(config.steps):
        return _create_and_finish(current, index, state)
    state.save()
    return redirect(url_for("signup.step", name=config.steps[index + 1].name))


FINISHED_PAGES = {"provisional": "signup/provisional_sent.html"}


def _finished_page(state, kind: str):
    """A step ended the signup on a page of its own (the code provisoire sent by post)."""
    signup_state.discard(state)
    response = make_response(render_template(FINISHED_PAGES[kind]))
    signup_state.clear_cookie(response)
    return response


def _render(current, index, state, errors, **extra):
    config = _config()
    fields = [(f, spec(f.name)) for f in visible_fields(current, state.answers)]
    hidden = [(f, spec(f.name)) for f in current.fields if f not in [c for c, _ in fields]]
    labels = FIXED_LABELS | {spec_.name: spec_.label for _, spec_ in fields}
    following = config.steps[index + 1] if index + 1 < len(config.steps) else None
    context = dict(labels=labels, targets=error_targets(fields, extra.get("channels")),
                   next_title=(following.title_en if current_language() == "en" and following.title_en
                               else following.title) if following else "",
                   code_sent=bool(state.data.get("contact")), step=current, number=index + 1,
                   total=len(config.steps), fields=fields,
                   conditional=hidden, answers=state.answers, errors=errors, config=config,
                   suggestion=suggestion(state.answers) if current.kind == "identifier" else None,
                   requirements=g.tenant.password_policy.requirements() if current.kind == "password" else [],
                   recap=recap(config.steps, state.answers) if current.kind == "recap" else [],
                   signup_interaction=state.row.interaction_handle, **extra)
    return render_template(f"signup/{current.kind}.html", **context)


def activation_step(current, state):
    """The last step of an email/SMS-activated signup (seed 001)."""
    channels = activation.channels_for(state.answers)
    index = _step_index(current.name)
    if request.method == "POST":
        channel = request.form.get("channel")
        if channel not in channels:
            return _render(current, index, state, {"channel": _l("Choisissez comment activer votre compte.")},
                           channels=channels), 400
        if state.data.get("account_id") and state.data.get("activation_channel") == channel:
            # sent already (a double click, the page sent again): where it is typed, and resent
            return redirect(url_for("signup.code" if channel == "sms" else "signup.check_email"))
        free = existing.check_free(state)
        if not free.accepted:
            return _taken_page(state, current, index, free, channels=channels)
        handle = state.row.interaction_handle
        state.data["activation_channel"] = channel   # committed with the account: its twin goes to the code
        account = activation.create_pending_account(state)
        if account is None:
            return _identifier_lost(current, index, handle, channel, channels=channels)
        refused = activation.send_activation(account, channel)
        if refused:
            state.data.pop("activation_channel")
            state.save()
            return _render(current, index, state, {"channel": refused}, channels=channels), 429
        state.save()
        return redirect(url_for("signup.code" if channel == "sms" else "signup.check_email"))
    return _render(current, index, state, {}, channels=channels)


def _create_and_finish(current, index, state):
    """The last step of a signup without activation: the account, the end of the signup and
    the login commit together (in several transactions, a crash between them left an
    account its own signup did not know, which then told the person their number was taken)."""
    handle = state.row.interaction_handle
    account = activation.create_account(state)
    if account is None:
        return _identifier_lost(current, index, handle)
    return _finish(state, account)


def _identifier_lost(current, index, handle, channel=None, **extra):
    """The account was not written: its identifier was taken at that instant. A twin of this
    request (a double click) may have taken it for this very signup: go where it went. Else
    answer as to a signup that came second (nothing of this one is lost)."""
    state = signup_state.load()
    if state is None:                       # the twin ended the signup with a login
        return redirect(url_for("oidc.resume", handle=handle) if handle else url_for("selfservice.overview"))
    if state.data.get("account_id"):        # the twin wrote the account to activate
        return redirect(url_for("signup.code" if channel == "sms" else "signup.check_email"))
    if state.answers.get("no_nir"):         # a provisional identifier we drew: draw another
        state.answers["identifier"] = new_provisional()
        state.save()
        return _render(current, index, state, {}, **extra)
    return _taken_page(state, current, index, existing.check_free(state), **extra)


def _taken_page(state, current, index, taken: Outcome, **extra):
    """A signup refused at account creation. A username taken since its step is chosen
    again on that step's page, with what was typed and a free one suggested; a NIR's
    account is said on this page (signup/existing.py)."""
    steps = _config().steps
    chosen = next((i for i, step in enumerate(steps) if step.kind == "identifier"), None)
    errors = dict(taken.errors)
    if "identifier" in errors and chosen is not None:
        other = suggestion(state.answers)
        errors["identifier"] = errors["identifier"] + (f" Suggestion : {other}" if other else "")
        return _render(steps[chosen], chosen, state, errors), 400
    return _render(current, index, state, errors, **extra), taken.status


@bp.route("/signup/activation/code", methods=["GET", "POST"])
def code():
    state = signup_state.load()
    if state is None or not state.data.get("account_id"):
        return redirect(url_for("signup.start"))
    account = scoped_get(Account, state.data["account_id"])
    error = None
    if request.method == "POST":
        if request.form.get("action") == "resend":
            return _resend(state, account)
        outcome = verification.check(activation.PURPOSE, account.id, request.form.get("code", ""))
        if outcome.ok:
            activation.activate(account, "sms")
            return _finish(state, account)
        error = outcome.message
    return render_template("signup/code.html", error=error, phone=account.phone_number,
                           sent=request.args.get("sent")), 400 if error else 200


def _resend(state, account):
    """"Renvoyer le code": the limits of the first send (per account and per address)."""
    refused = activation.send_activation(account, state.data.get("activation_channel", "sms"))
    if refused:
        return render_template("signup/code.html", error=refused, phone=account.phone_number), 429
    return redirect(url_for("signup.code", sent=1))


@bp.route("/signup/activation/email")
def check_email():
    state = signup_state.load()
    if state is None or not state.data.get("account_id"):
        return redirect(url_for("signup.start"))
    account = scoped_get(Account, state.data["account_id"])
    return render_template("signup/check_email.html", email=account.email)


@bp.route("/signup/activate/<verification_id>/<token>")
def activate_link(verification_id, token):
    row = verification.find_link(verification_id)
    if row is None or row.purpose != activation.PURPOSE:
        return render_template("signup/link_invalid.html", message=verification.MESSAGES["missing"]), 400
    outcome = verification.check_row(row, token)
    if not outcome.ok:
        return render_template("signup/link_invalid.html", message=outcome.message), 400
    account = scoped_get(Account, row.subject)
    activation.activate(account, "email")
    state = signup_state.load()
    if state is not None and state.data.get("account_id") == account.id:
        return _finish(state, account)
    db.session.commit()   # opened from another browser: no login here
    return created_page(account)


def _finish(state, account):
    """Activated: log in, and resume the relying party's request if the signup came from one.
    The account's last change, the signup's end, the session and the interaction's step
    commit together."""
    handle = state.row.interaction_handle
    signup_state.discard(state, commit=False)
    if account.status != "active":
        db.session.commit()
        upload.remember_pending(account)
        response = make_response(render_template("signup/pending.html", account=account))
        signup_state.clear_cookie(response)
        return response
    interaction = interactions.load(handle) if handle else None
    service = None
    if interaction is not None:
        client = find_client(interaction.client_id)
        service = client.row.name if client else g.tenant.display_name
    # the "account created" page links to the resumed request (idp/oidc/finish.py)
    response = finish(interaction, account, acr=g.tenant.config.acr_default, amr=["pwd"],
                      respond=lambda resume_url: created_page(account, resume_url, service))
    signup_state.clear_cookie(response)
    return response


@bp.route("/signup/cancel", methods=["POST"])
def cancel():
    state = signup_state.load()
    handle = state.row.interaction_handle if state else None
    if state is not None:
        if state.data.get("account_id"):
            account = scoped_get(Account, state.data["account_id"])
            if account is not None and account.status == "pending_activation":
                db.session.delete(account)
        signup_state.discard(state)   # with the account not activated, in one transaction
    response = make_response(render_template("signup/cancelled.html", handle=handle))
    signup_state.clear_cookie(response)
    return response


@bp.route("/signup/availability")
def identifier_availability():
    """Live check for the identifier step (JSON; the form works without it), only where an
    identifier is chosen in the open: on caf and ameli it answered anyone, for any NIR,
    whether it has an account (a GET, 30 a minute per address, no signup needed), which
    their signups say only at the end, counted (idp/signup/existing.py)."""
    _config()
    if not chosen_in_the_open():
        abort(404)
    state = signup_state.load()
    result = availability(request.args.get("identifier", ""), state.answers if state else {})
    response = jsonify({k: str(v) if v is not None and not isinstance(v, bool) else v for k, v in result.items()})
    if result.get("code") == "rate_limited":
        response.status_code = 429
        response.headers["Retry-After"] = "60"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/signup/password-check", methods=["POST"])
def password_check():
    """Live checklist and strength for the password step (JSON, POST so that the password
    never lands in a URL or an access log)."""
    _config()
    refused = limits.password_check()
    if refused:
        response = jsonify(error=refused)
        response.status_code = 429
        response.headers["Cache-Control"] = "no-store"
        return response
    state = signup_state.load()
    password = request.form.get("password", "")
    answers = state.answers if state else {}
    policy = g.tenant.password_policy
    items = [{"code": r.code, "met": met, "text": tr(r)}
             for r, met in policy.checklist(password, identifier=answers.get("identifier"))]
    response = jsonify(items=items, strength=policy.strength(password).label)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/signup/justificatif", methods=["GET", "POST"])
@allow_body(upload.MAX_BYTES + 64 * 1024)   # the file and its multipart envelope (idp/web/body_limits.py)
def supporting_document():
    _config()
    return upload.upload_page()
