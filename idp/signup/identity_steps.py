"""Step kinds for identity-checked signups (caf, seeds 003-004): the NIR or a provisional
identifier, the place of birth, an identity document, a contact verified by code. Each
returns an :class:`~idp.web.outcome.Outcome`; the contact step's "code envoyé" is its notice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from idp.web.i18n import tr

import logging
from dataclasses import dataclass, field

from flask import g

from policies import identifier_scheme, validator

from idp.verification import codes as verification
from idp.accounts.service import find_account
from idp.security.audit import audit
from idp.signup.delivery import send_code
from idp.signup.documents import VerifierUnavailable, verifier_from_config
from idp.signup.places import resolve_birthplace
from idp.signup.steps import REQUIRED, check_fields
from idp.web.outcome import Outcome

log = logging.getLogger("idp.signup")
UNAVAILABLE = _l("Service momentanément indisponible, réessayez plus tard.")


def check_nir(step, form, state) -> Outcome:
    """NIR, or "Je n'ai pas de numéro de sécurité sociale" and a provisional identifier is
    issued; then the état civil fields, and the place of birth resolved to its INSEE code.
    Nothing here depends on the accounts that exist."""
    answers = state.answers
    outcome = check_fields(step, form, state)
    errors = {}
    answers["no_nir"] = form.get("no_nir") == "on"
    answers["nir_typed"] = form.get("nir", "").strip()
    if answers["no_nir"]:
        if not answers.get("identifier", "").startswith("P"):
            answers["identifier"] = new_provisional()
    else:
        checked = g.tenant.identifier_scheme.check(answers["nir_typed"])
        if not answers["nir_typed"]:
            errors["nir"] = REQUIRED
        elif not checked.passing:
            errors["nir"] = tr(checked.messages[0])
        else:  # whether an account has this NIR is told only at the end (signup/existing.py)
            answers["identifier"] = checked.value
            errors.update(_nir_matches_birth(checked.value, answers))
    answers["birthplace_typed"] = form.get("birthplace", "").strip()
    code, error = resolve_birthplace(answers["birthplace_typed"])
    if error:
        errors["birthplace"] = error
    else:
        answers["birthplace"] = code
    return outcome.merge(errors)


def new_provisional() -> str:
    scheme = identifier_scheme("provisional")
    while True:
        candidate = scheme.generate()
        if find_account(g.tenant.slug, candidate) is None:
            return candidate


# The NIR's first digit: odd for a man, even for a woman (1/2 final, 7/8 provisional, 3/4
# and 5/6 older or special series; french-identifiers.md)
NIR_SEX = {"monsieur": "13579", "madame": "2468"}


def _nir_matches_birth(nir: str, answers: dict) -> dict[str, str]:
    """The NIR's sex digit matches the civilité, and its year and month of birth (unless the
    month is unknown) the birthdate, as the FranceConnect path checks them."""
    birthdate = answers.get("birthdate") or ""
    parts = g.tenant.identifier_scheme.decode(nir)
    civility = answers.get("civility")
    if civility in NIR_SEX and parts.type_digit not in NIR_SEX[civility]:
        return {"nir": _l("Le numéro ne correspond pas à la civilité choisie : son premier chiffre est 1 pour un "
                          "homme, 2 pour une femme.")}
    if len(birthdate) == 10 and parts.year != birthdate[2:4]:
        return {"nir": _l("Le numéro ne correspond pas à l'année de naissance saisie.")}
    if len(birthdate) == 10 and parts.month.isdigit() and 1 <= int(parts.month) <= 12 and parts.month != birthdate[5:7]:
        return {"nir": _l("Le numéro ne correspond pas au mois de naissance saisi.")}
    return {}


_verifiers: dict = {}


def _verifier():
    if g.tenant.slug not in _verifiers:
        _verifiers[g.tenant.slug] = verifier_from_config(g.tenant.config.signup.document_verifier)
    return _verifiers[g.tenant.slug]


DOCUMENT_KINDS = {"cni": _l("Carte nationale d'identité"), "passport": _l("Passeport français"),
                  "residence_permit": _l("Titre de séjour")}


def check_document(step, form, state) -> Outcome:
    answers = state.answers
    identity = {"birth_name": answers.get("birth_name"), "given_names": answers.get("given_names"),
                "birthdate": answers.get("birthdate")}
    proof = document_proof(form, identity)
    state.data["pending_document"] = proof.pending
    if proof.pending:
        answers["document"] = None
        return Outcome.next()
    answers["document_kind"], answers["document_number_typed"] = proof.kind, proof.typed
    if proof.errors:
        return Outcome.invalid(proof.errors)
    answers["document"] = proof.document
    answers.pop("document_number_typed", None)
    return Outcome.next()


@dataclass
class DocumentProof:
    """The identity document checked for ``identity`` (``document``: kind and number), or
    ``pending``: the person has no French document and sends a supporting one, checked by an
    operator before the account opens; ``errors`` otherwise, by field."""
    document: dict | None = None
    pending: bool = False
    kind: str = ""
    typed: str = ""
    errors: dict = field(default_factory=dict)


def document_proof(form, identity: dict) -> DocumentProof:
    """The caf's proof of identity (its signup's ``document`` step, and the FranceConnect
    path of a tenant whose signup has one): the document's format and check digit, then the
    tenant's verifier for that number and ``identity`` (birth name, given names, birthdate)."""
    if form.get("no_document") == "on":
        return DocumentProof(pending=True)
    kind, number = form.get("document_kind", ""), form.get("document_number", "")
    proof = DocumentProof(kind=kind, typed=number)
    if kind not in DOCUMENT_KINDS:
        proof.errors["document_kind"] = _l("Choisissez le type de pièce d'identité.")
        return proof
    result = validator("identity_document")(number, kind=kind)
    if not result.passing:
        proof.errors["document_number"] = tr(result.messages[0])
        return proof
    try:
        valid = _verifier().verify(result.value["kind"], result.value["number"], identity)
    except VerifierUnavailable:
        audit("signup.document_check", "failure", reason="unavailable")
        proof.errors["document_number"] = UNAVAILABLE
        return proof
    if not valid:
        proof.errors["document_number"] = _l("Cette pièce d'identité n'a pas pu être vérifiée. Vérifiez le numéro saisi.")
        return proof
    proof.document = result.value
    return proof


CONTACT_PURPOSE = "signup_contact"


def check_contact(step, form, state) -> Outcome:
    """Two phases on one page: "Envoyer le code" to the email or mobile typed, then the code."""
    answers = state.answers
    if form.get("action") == "send":
        return _send_contact_code(form, state)
    pending = state.data.get("contact")
    if not pending:
        return Outcome.invalid({"contact": _l("Saisissez votre adresse électronique ou votre mobile, puis "
                                              "« Envoyer le code ».")})
    checked = verification.check(CONTACT_PURPOSE, state.row.id, form.get("code", ""))
    if not checked.ok:
        return Outcome.invalid({"code": checked.message})
    answers[pending["field"]] = pending["value"]
    state.data["contact_verified"] = pending
    return Outcome.next()


def _send_contact_code(form, state) -> Outcome:
    raw = form.get("contact", "").strip()
    state.answers["contact_typed"] = raw
    if "@" in raw:
        result, field, channel = validator("email")(raw), "email", "email"
    else:
        result, field, channel = validator("mobile_phone")(raw), "mobile", "sms"
    if not raw:
        return Outcome.invalid({"contact": REQUIRED})
    if not result.passing:
        return Outcome.invalid({"contact": tr(result.messages[0])})
    refused = send_code(CONTACT_PURPOSE, state.row.id, channel, result.value)
    if refused:
        return Outcome.invalid({"contact": refused})
    state.data["contact"] = {"field": field, "value": result.value, "channel": channel}
    return Outcome.told(_l("Le code a été envoyé. Saisissez-le ci-dessous."))
