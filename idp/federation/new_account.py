"""A new account after FranceConnect, pre-filled from the identité pivot: what the tenant
needs beyond it (its NIR, a username, an email), the proof its own signup asks for, and when
the page may say that an account already exists.

Decisions:

- *The same proof as the tenant's signup.* FranceConnect proves who the person is; nothing
  in its pivot proves that a typed NIR is theirs (any order number agrees with sex, year,
  month and commune). So the NIR also goes through what the tenant's signup asks: on ameli
  the reference directory (birth name, birthdate and first names of that number's
  beneficiary); on caf the identity document, checked by the same verifier against the
  pivot, or, without a French document, an account ``pending_document`` that opens once an
  operator has checked the supporting document sent (``idp users pending``, ``activate``).
- *The same reveal decision as the signups* (:mod:`idp.signup.existing`): that an account
  exists for the NIR is said only once every other check has passed and the email is
  confirmed, each answer about a number counts against :func:`idp.signup.limits.check`
  (per address and per NIR), and the holder of that account is told by message. An
  account of the same identity leads to the password proof (:mod:`.linking`) instead.
- *A way out for the real owner* who finds their NIR taken: the page says to contact the
  service, which can suspend the account holding it (``idp users suspend``, README).
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from policies import validator

from idp.verification import codes as verification
from idp.accounts.service import email_in_use, find_account
from idp.security.audit import audit
from idp.web.i18n import tr
from idp.signup import existing, limits
from idp.signup.delivery import send_code
from idp.signup.steps import RATE_LIMITED, lookup_allowed, suggestion
from idp.web.outcome import Outcome
from idp.federation import checks, linking
from idp.federation.views import _enabled, _failure, _link_and_log_in, _parked, bp
from idp.signup.identity_steps import document_proof
from idp.signup.activation import kept_document

EMAIL_PURPOSE = "franceconnect_email"
NIR_TAKEN = _l("Un compte existe déjà avec ce numéro. Connectez-vous avec son mot de passe, ou utilisez "
               "« Mot de passe oublié ? ».")


def _needs_identifier() -> str:
    """What the tenant needs beyond the pivot to name the account: its NIR, a username
    (proposed from the names) or, for an email scheme, nothing more than the email."""
    name = g.tenant.identifier_scheme.name
    if name.startswith("nir"):
        return "nir"
    if name == "email":
        return "email"
    return "username"


def _asks_document() -> bool:
    signup = g.tenant.config.signup
    return signup is not None and any(step.kind == "document" for step in signup.steps)


def _suggested_username(pivot: dict) -> str:
    """The signup's proposal (first free prénom.nom), from the first given name."""
    return suggestion({"given_name": (pivot.get("given_name") or "").split(" ")[0],
                       "birth_name": pivot.get("family_name") or ""}) or ""


def _check_identifier(kind: str, form, parked, errors: Outcome) -> str | None:
    """The identifier typed, well formed and, for a NIR, agreeing with the pivot and (ameli)
    the directory; each NIR answered about counts against the checks' limits."""
    if kind == "email":
        return None
    raw = form.get("identifier", "").strip()
    if not raw:
        errors.refuse("identifier", _l("Ce champ est obligatoire."))
        return None
    checked = g.tenant.identifier_scheme.check(raw)
    if not checked.passing:
        errors.refuse("identifier", tr(checked.messages[0]))
        return None
    if kind == "username":
        if not lookup_allowed():   # whether a username is taken: the signup's limit per address
            errors.refuse("identifier", RATE_LIMITED, throttled=True)
            return None
        if find_account(g.tenant.slug, checked.value) is not None:   # usernames are proposed in the open
            errors.refuse("identifier", _l("Cet identifiant est déjà pris."))
            return None
        return checked.value
    problem, throttled = checks.nir_disagrees(checked.value, parked.pivot), False
    if not problem:
        problem = limits.check(checked.value)
        throttled = bool(problem)
    problem = problem or checks.not_in_directory(checked.value, parked.pivot)
    if problem:
        errors.refuse("identifier", problem, throttled=throttled)
        return None
    return checked.value


def _check_email(form, errors: Outcome) -> str | None:
    raw = form.get("email", "").strip()
    if not raw:
        errors.refuse("email", _l("Ce champ est obligatoire."))
        return None
    result = validator("email")(raw)
    if not result.passing:
        errors.refuse("email", tr(result.messages[0]))
        return None
    refused = limits.check()      # "in use" is an answer about someone's data, as in the signups
    if refused:
        errors.refuse("email", refused, throttled=True)
        return None
    if email_in_use(result.value):
        errors.refuse("email", _l("Cette adresse électronique est déjà utilisée par un autre compte."))
        return None
    return result.value


def _check_document(form, parked, errors: Outcome):
    """The identity document of the tenant's signup, checked against the pivot; None when
    the tenant asks none."""
    if not _asks_document():
        return None

    pivot = parked.pivot
    proof = document_proof(form, {"birth_name": pivot.get("family_name"), "given_names": pivot.get("given_name"),
                                  "birthdate": pivot.get("birthdate")})
    errors.merge(proof.errors)
    return proof


def _email_confirmed(email: str, form, parked, errors: Outcome) -> bool:
    """The email FranceConnect gave is taken as confirmed; another one is confirmed by a
    code sent to it, on this same page."""
    if email.lower() == (parked.data.get("email") or "").lower() or parked.data.get("email_confirmed") == email:
        return True
    pending = parked.data.get("email_pending")
    if pending == email and form.get("code"):
        outcome = verification.check(EMAIL_PURPOSE, parked.row.id, form.get("code", ""))
        if outcome.ok:
            parked.data["email_confirmed"] = email
            return True
        errors.refuse("code", outcome.message)
        return False
    refused = send_code(EMAIL_PURPOSE, parked.row.id, "email", email)
    if refused:
        errors.refuse("code", refused)
        return False
    parked.data["email_pending"] = email
    errors.tell(_l("Un code de confirmation a été envoyé à cette adresse. Saisissez-le ci-dessous."))
    return False


@bp.route("/franceconnect/complete", methods=["GET", "POST"])
def complete():
    _enabled()
    parked, problem = _parked()
    if problem:
        return problem
    if parked.data.get("candidates"):      # accounts match: prove one is yours, or say none is
        return redirect(url_for("franceconnect.link"))
    kind = _needs_identifier()
    proposes = kind == "username" and request.method == "GET"   # a POST keeps what was typed
    form = {"identifier": _suggested_username(parked.pivot) if proposes else "",
            "email": parked.data.get("email", "")}
    errors = Outcome()
    if request.method == "POST":
        form = {"identifier": request.form.get("identifier", "").strip(), "email": request.form.get("email", "").strip()}
        identifier = _check_identifier(kind, request.form, parked, errors)
        email = _check_email(request.form, errors)
        proof = _check_document(request.form, parked, errors)
        if request.form.get("cgu") != "on":
            errors.refuse("cgu", _l("Vous devez accepter les conditions générales d'utilisation."))
        identifier = email if kind == "email" else identifier
        if not errors.errors and email and _email_confirmed(email, request.form, parked, errors):
            taken = find_account(g.tenant.slug, identifier)
            if taken is None:
                return _create(parked, identifier, email, proof, lambda: _taken_meanwhile(kind, identifier, form))
            outcome = _existing(taken, kind, parked, errors)
            if outcome is not None:
                return outcome
        parked.save()
    return _page(parked, kind, form, errors)


def _taken_meanwhile(kind: str, identifier: str, form: dict):
    """The new account was not written: a simultaneous request wrote first (the unique
    indexes decide, the loser's transaction is rolled back). This very form sent twice has
    linked the identity: say so. Else another signup took the identifier at that instant:
    the page again, with what was typed, as a later check would have answered."""
    parked, problem = _parked()
    taken = find_account(g.tenant.slug, identifier)
    if problem or taken is None or linking.linked_account(parked.identity["subject"])[1] is not None:
        return _failure("already_done")
    errors = Outcome()
    outcome = _existing(taken, kind, parked, errors)
    return outcome if outcome is not None else _page(parked, kind, form, errors)


def _page(parked, kind: str, form: dict, outcome: Outcome):
    """The completion page, with what the checks said (:class:`~idp.web.outcome.Outcome`)."""
    return render_template("franceconnect/complete.html", pivot=parked.pivot, kind=kind, form=form,
                           errors=outcome.errors, notice=outcome.notice, code_pending=parked.data.get("email_pending") == form["email"]
                           and parked.data.get("email_confirmed") != form["email"],
                           scheme=g.tenant.identifier_scheme, cgu_version=_cgu_version(),
                           asks_document=_asks_document(), taken=outcome.reason == "identifier_taken",
                           answers={"document_kind": request.form.get("document_kind"),
                                    "document_number_typed": request.form.get("document_number", "")}), outcome.status


def _existing(taken, kind: str, parked, errors: Outcome):
    """Every check has passed and an account holds the identifier: the person's own (same
    identity, not linked) goes to the password proof; any other is refused, and its holder
    told, once a day at most."""
    declined = parked.data.get("declined") or []
    if kind == "nir" and taken.status == "active" and linking.agrees(taken, parked.pivot) \
            and not linking.linked_elsewhere(taken) and taken.id not in declined:
        parked.data["candidates"] = [taken.id]
        parked.save()
        audit("franceconnect.callback", path="link", reason="identifier_exists")
        return redirect(url_for("franceconnect.link"))
    if kind == "nir":
        existing.tell_holder(taken)
        audit("franceconnect.account", "failure", reason="identifier_taken")
        errors.refuse("identifier", NIR_TAKEN)
        errors.reason = "identifier_taken"
    elif kind == "username":           # taken since it was shown free
        errors.refuse("identifier", _l("Cet identifiant est déjà pris."))
    else:
        errors.refuse("email", _l("Cette adresse électronique est déjà utilisée par un autre compte."))
    return None


def _cgu_version() -> str:
    signup = g.tenant.config.signup
    return signup.cgu_version if signup is not None else "1"


def _create(parked, identifier: str, email: str, proof, on_conflict):
    """The account, linked; logged in at once, or ``pending_document`` until an operator
    has checked the supporting document it is now asked for."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    consents = {"cgu": {"version": _cgu_version(), "accepted_at": now}}
    pending = proof is not None and proof.pending

    def account_of():
        account = linking.new_account(parked.pivot, identifier, email=email, email_verified=True,
                                      preferred_username=parked.data.get("preferred_username", ""),
                                      consents=consents)
        if proof is not None and proof.document:
            account.profile = {**account.profile, "document": kept_document(proof.document)}
        if pending:
            account.status = "pending_document"
        return account

    return _link_and_log_in(parked, account_of, "franceconnect.account_created", log_in=not pending,
                            on_conflict=on_conflict)
