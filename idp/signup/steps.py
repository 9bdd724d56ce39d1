"""Step kinds of the signup engine. Each kind checks a POSTed form against the tenant's
configuration and records the answers; it returns an :class:`~idp.web.outcome.Outcome`:
``next``, ``invalid`` with French messages per field (``throttled`` when a limit refused),
``notice`` (the page again, with a message) or ``finish`` (the signup ends on a page of
its own). The view (:mod:`idp.signup.views`) switches on it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from idp.web.i18n import tr

import base64
from datetime import datetime, timezone

from flask import g

from idp.security.passwords import tenant_hasher
from idp.accounts.service import email_in_use, find_account
from idp.security.vault import vault
from idp.signup import limits
from idp.signup.existing import check_free
from idp.signup.fields import check_value, spec, typed_date
from idp.web.outcome import Outcome

REQUIRED = _l("Ce champ est obligatoire.")
EMAIL_TAKEN = _l("Cette adresse électronique est déjà utilisée par un autre compte.")


def visible_fields(step, answers: dict) -> list:
    return [f for f in step.fields if all(answers.get(k) == v for k, v in f.when.items())]


def check_fields(step, form, state) -> Outcome:
    """Check the visible fields; a choice made on this very step (profile_type) may reveal
    fields the person has not seen yet: they are then asked for, not silently skipped."""
    outcome, answers = Outcome(), state.answers
    for chosen in step.fields:
        if _sent(form, chosen.name) or spec(chosen.name).kind == "checkbox":
            answers[chosen.name] = _typed(form, chosen.name)
    for chosen in visible_fields(step, answers):
        field_spec = spec(chosen.name)
        if chosen.when and field_spec.kind != "checkbox" and not _sent(form, chosen.name):
            outcome.refuse(chosen.name, _l("Ce champ est demandé pour le profil choisi."))
            continue
        value, error = check_value(field_spec, _typed(form, chosen.name))
        if not error and chosen.required and value in ("", False):
            error = REQUIRED
        throttled = False
        if not error and chosen.name == "email" and value:
            error, throttled = _email_refusal(value)
        answers[chosen.name] = value
        if error:
            outcome.refuse(chosen.name, error, throttled=throttled)
    return outcome


def _sent(form, name: str) -> bool:
    return name in form or f"{name}-day" in form   # a date comes as three fields


def _typed(form, name: str) -> str:
    return typed_date(form, name) if spec(name).kind == "date" else form.get(name, "")


def _email_refusal(email: str) -> tuple[str | None, bool]:
    """With ``unique_email`` an address in use is refused: that answer tells whether an
    address has an account, so each one counts against the checks' limit per address.
    The refusal, and whether it is the limit's."""
    if not g.tenant.config.signup.unique_email:
        return None, False
    refused = limits.check()
    if refused:
        return refused, True
    return (EMAIL_TAKEN if email_in_use(email) else None), False


# -- identifier -------------------------------------------------------------------------------

def names(answers: dict) -> tuple[str, str]:
    given = answers.get("given_name") or answers.get("given_names") or ""
    return given, answers.get("usage_name") or answers.get("birth_name") or ""


def suggestion(answers: dict) -> str | None:
    """The first free identifier the scheme proposes from the person's names: it tells which
    prénom.nom are taken, so it counts against the lookups' limit (:func:`lookup_allowed`);
    beyond it there is no proposal (the person types one, checked under the same limit)."""
    if not _proposes(answers) or not lookup_allowed():
        return None
    return _first_free(answers)


def _proposes(answers: dict) -> bool:
    return hasattr(g.tenant.identifier_scheme, "candidates") and all(names(answers))


def _first_free(answers: dict) -> str | None:
    if not _proposes(answers):
        return None
    given, family = names(answers)
    for candidate in g.tenant.identifier_scheme.candidates(given, family, limit=20):
        if find_account(g.tenant.slug, candidate) is None:
            return candidate
    return None


RATE_LIMITED = _l("Trop de vérifications en peu de temps : réessayez dans une minute.")


def lookup_allowed() -> bool:
    """One lookup of whether identifiers are taken, per address and minute
    (``[login] availability_checks_per_minute``): the live check, the identifier step's form
    and its suggestion, and FranceConnect's completion page all count here, so that none of
    them is a way round the others."""
    from flask import current_app, request

    limit = current_app.config["IDP_SETTINGS"].login.availability_checks_per_minute
    counters = current_app.extensions["idp_counters"]
    return counters.incr(f"availability:{g.tenant.slug}:{request.remote_addr}", 60) <= limit


def chosen_in_the_open() -> bool:
    """Identifiers the person chooses and sees proposed (prénom.nom), checked live on an
    ``identifier`` step: never a NIR, whose account is said to exist only at the end of a
    signup, counted per address and per number (:mod:`.existing`)."""
    signup = g.tenant.config.signup
    return not g.tenant.identifier_scheme.name.startswith("nir") and signup is not None \
        and any(step.kind == "identifier" for step in signup.steps)


def availability(raw: str, answers: dict) -> dict:
    """Whether ``raw`` is free. It tells whether an identifier exists, so every caller (the
    live check and the form) counts against one limit per address and minute; and only
    for identifiers chosen in the open (:func:`chosen_in_the_open`): a NIR is well formed
    or not here, its account said at account creation (:func:`.existing.check_free`)."""
    if not lookup_allowed():
        return {"available": None, "message": RATE_LIMITED, "code": "rate_limited"}
    scheme = g.tenant.identifier_scheme
    checked = scheme.check(raw)
    if not checked.passing:
        return {"available": False, "message": tr(checked.messages[0]), "code": checked.messages[0].code}
    if chosen_in_the_open() and find_account(g.tenant.slug, checked.value) is not None:
        other = _first_free(answers)   # counted with this check
        message = _l("Cet identifiant est déjà pris.") + (f" Suggestion : {other}" if other else "")
        return {"available": False, "message": message, "code": "identifier.taken", "suggestion": other}
    return {"available": True, "message": _l("Identifiant disponible !"), "normalised": checked.value}


def check_identifier(step, form, state) -> Outcome:
    raw = form.get("identifier", "").strip()
    state.answers["identifier_typed"] = raw
    if not raw:
        return Outcome.invalid({"identifier": REQUIRED})
    verdict = availability(raw, state.answers)
    if not verdict["available"]:
        return Outcome.invalid({"identifier": verdict["message"]})
    state.answers["identifier"] = verdict["normalised"]
    return Outcome.next()


# -- password ---------------------------------------------------------------------------------

def check_password(step, form, state) -> Outcome:
    """The tenant's policy, checked without hashing: Argon2 (19 MiB a hash) runs once, when
    the account is created (:func:`password_hash`). Each submission counts against a limit
    per address."""
    refused = limits.password_step()
    if refused:
        return Outcome.limited("password", refused)
    password, repeat = form.get("password", ""), form.get("password_repeat", "")
    if not password:
        return Outcome.invalid({"password": REQUIRED})
    given, family = names(state.answers)
    verdict = g.tenant.password_policy.check(password, identifier=state.answers.get("identifier"),
                                             names=[n for n in (given, family) if n])
    if not verdict.passing:
        return Outcome.invalid({"password": " ".join(tr(m) for m in verdict.messages)})
    if password != repeat:
        return Outcome.invalid({"password_repeat": _l("Les deux mots de passe ne sont pas identiques.")})
    _seal_password(state, password)
    return Outcome.next()


def _password_context(state) -> str:
    # the vault binds a sealed value to its "tenant" (AES-GCM additional data): here to this
    # very signup too, so a sealed password copied into another signup does not open
    return f"{state.row.tenant}\x00signup-password\x00{state.row.id}"


def _seal_password(state, password: str) -> None:
    """Until the account exists the password is kept sealed apart (never in clear in the
    signup's data, at rest or in a cookie), inside a state that is itself sealed."""
    blob = vault().seal(_password_context(state), password)
    state.data.pop("password_hash", None)
    state.data["password_sealed"] = base64.b64encode(blob).decode()


def password_hash(state) -> str | None:
    """Hash the sealed password, once, for the account being created (which forgets the
    sealed copy once it is written: a signup that lost its identifier keeps it)."""
    sealed = state.data.get("password_sealed")
    if sealed is None:
        return state.data.get("password_hash")  # a signup started before hashing moved here
    return tenant_hasher().hash(vault().unseal(_password_context(state), base64.b64decode(sealed)))


# -- consent ----------------------------------------------------------------------------------

def check_consent(step, form, state) -> Outcome:
    errors = {}
    if form.get("cgu") != "on":
        errors["cgu"] = _l("Vous devez accepter les conditions générales d'utilisation.")
    if form.get("rgpd") != "on":
        errors["rgpd"] = _l("Vous devez consentir au traitement de vos données pour créer un compte.")
    if not errors:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        version = g.tenant.config.signup.cgu_version
        state.data["consents"] = {"cgu": {"version": version, "accepted_at": now},
                                  "rgpd": {"version": version, "accepted_at": now}}
    return Outcome(errors)


def check_recap(step, form, state) -> Outcome:
    """Creating the account: where a NIR already taken is said (see signup/existing.py)."""
    return check_free(state)
