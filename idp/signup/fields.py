"""The catalogue of signup fields: label, input type, autocomplete, inputmode, validator and
where the value goes on the account. Tenants pick fields by name in their configuration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from idp.web.i18n import tr

import re
from dataclasses import dataclass

from policies import validator


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"                 # text | email | tel | date | radio | checkbox | select
    autocomplete: str = "off"
    inputmode: str | None = None
    validator: str | None = None       # a policies validator name
    target: str | None = None          # account column, or "profile.<key>"
    choices: tuple[tuple[str, str], ...] = ()
    choice_hints: tuple[tuple[str, str], ...] = ()   # a sentence under a choice (rich radios)
    hint: str = ""
    max_length: int = 200
    pattern: str | None = None         # a regular expression the value must match...
    pattern_message: str = ""          # ...and the French message when it does not


CATALOGUE: dict[str, FieldSpec] = {f.name: f for f in (
    FieldSpec("profile_type", _l("Vous êtes"), "radio", choices=(
        ("citoyen", _l("Citoyen")), ("entreprise", _l("Entreprise")), ("association", _l("Association"))),
        choice_hints=(("citoyen", _l("Pour vos démarches personnelles")),
                      ("entreprise", _l("Vous ajouterez la raison sociale et le numéro SIRET")),
                      ("association", _l("Vous ajouterez le nom et le numéro RNA de l'association"))),
        target="profile.profile_type"),
    FieldSpec("company_name", _l("Raison sociale"), autocomplete="organization", target="profile.company_name"),
    FieldSpec("siret", _l("Numéro SIRET"), inputmode="numeric", validator="siret", target="profile.siret",
              hint="14 chiffres"),
    FieldSpec("association_name", _l("Nom de l'association"), autocomplete="organization",
              target="profile.association_name"),
    FieldSpec("rna", _l("Numéro RNA"), validator="rna", target="profile.rna", hint=_l("W suivi de 9 chiffres")),
    FieldSpec("civility", _l("Civilité"), "radio", choices=(("madame", _l("Madame")), ("monsieur", _l("Monsieur"))),
              target="profile.civility"),
    FieldSpec("birth_name", _l("Nom de naissance"), autocomplete="family-name", target="family_name"),
    FieldSpec("usage_name", _l("Nom d'usage"), autocomplete="family-name", target="profile.usage_name",
              hint=_l("Si différent du nom de naissance")),
    FieldSpec("given_name", _l("Prénom"), autocomplete="given-name", target="given_name"),
    FieldSpec("given_names", _l("Prénoms"), autocomplete="given-name", target="given_name",
              hint=_l("Dans l'ordre de l'état civil")),
    FieldSpec("birthdate", _l("Date de naissance"), "date", autocomplete="bday", validator="birthdate",
              target="birthdate"),
    FieldSpec("email", _l("Adresse électronique"), "email", autocomplete="email", inputmode="email",
              validator="email", target="email", hint=_l("Format : nom@domaine.fr")),
    FieldSpec("phone", _l("Téléphone fixe"), "tel", autocomplete="tel", inputmode="tel", validator="phone",
              target="profile.landline", hint=_l("Exemple : 01 23 45 67 89")),
    FieldSpec("mobile", _l("Téléphone mobile"), "tel", autocomplete="tel", inputmode="tel",
              validator="mobile_phone", target="phone_number", hint=_l("Exemple : 06 12 34 56 78")),
    FieldSpec("opt_in_email", _l("Je souhaite recevoir les lettres d'information par courriel"), "checkbox",
              target="profile.opt_in_email"),
    FieldSpec("opt_in_sms", _l("Je souhaite recevoir les informations par SMS"), "checkbox",
              target="profile.opt_in_sms"),
    FieldSpec("household_file", _l("Numéro allocataire du foyer"), inputmode="numeric", target="profile.household_file",
              pattern=r"\d{7}", pattern_message="Le numéro allocataire comporte 7 chiffres.",
              hint="7 chiffres, sur les courriers de la Caf"),
    FieldSpec("household_role", _l("Votre place dans le foyer"), "radio", target="profile.household_role", choices=(
        ("responsable", _l("Responsable du dossier")), ("conjoint", _l("Conjoint, concubin ou partenaire de PACS")),
        ("enfant", _l("Enfant de plus de 15 ans")), ("personne_a_charge", _l("Autre personne à charge")))),
    FieldSpec("power_of_attorney", _l("J'ai une procuration du responsable du dossier"), "checkbox",
              target="profile.power_of_attorney"),
    FieldSpec("postal_code", _l("Code postal"), inputmode="numeric", autocomplete="postal-code",
              validator="postal_code", target="profile.postal_code", hint="5 chiffres"),
)}


def spec(name: str) -> FieldSpec:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"unknown signup field {name!r}; known: {', '.join(sorted(CATALOGUE))}") from None


def typed_date(form, name: str) -> str:
    """What was typed in a date: the DSFR's three fields (``{name}-day``, ``-month``,
    ``-year``) as ``JJ/MM/AAAA``, or one field of that name (``JJ/MM/AAAA`` or ISO, as API
    clients and older pages send it)."""
    parts = [form.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]
    if any(parts):
        return "/".join(parts)
    return (form.get(name) or "").strip()


def check_value(field_spec: FieldSpec, raw: str):
    """(normalised value, French error or None) for one typed value."""
    if field_spec.kind == "checkbox":
        return raw == "on", None
    value = (raw or "").strip()
    if field_spec.choices and value not in dict(field_spec.choices):
        return value, _l("Choisissez une des réponses proposées.")
    if len(value) > field_spec.max_length:
        return value, f"{field_spec.max_length} caractères au maximum."
    if field_spec.pattern and value:
        value = re.sub(r"[\s.\-]", "", value)
        if not re.fullmatch(field_spec.pattern, value):
            return value, field_spec.pattern_message
    if field_spec.validator and value:
        result = validator(field_spec.validator)(value)
        if not result.passing:
            return value, tr(result.messages[0])
        if hasattr(result.value, "isoformat"):
            return result.value.isoformat(), None
        if isinstance(result.value, str):
            return result.value, None
    return value, None
