"""The catalogue of signup fields: label, input type, autocomplete, inputmode, validator and
where the value goes on the account. Tenants pick fields by name in their configuration."""

from __future__ import annotations

from ..i18n import tr

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
    hint: str = ""
    max_length: int = 200
    pattern: str | None = None         # a regular expression the value must match...
    pattern_message: str = ""          # ...and the French message when it does not


CATALOGUE: dict[str, FieldSpec] = {f.name: f for f in (
    FieldSpec("profile_type", "Vous êtes", "radio", choices=(
        ("citoyen", "Citoyen"), ("entreprise", "Entreprise"), ("association", "Association")),
        target="profile.profile_type"),
    FieldSpec("company_name", "Raison sociale", autocomplete="organization", target="profile.company_name"),
    FieldSpec("siret", "Numéro SIRET", inputmode="numeric", validator="siret", target="profile.siret",
              hint="14 chiffres"),
    FieldSpec("association_name", "Nom de l'association", autocomplete="organization",
              target="profile.association_name"),
    FieldSpec("rna", "Numéro RNA", validator="rna", target="profile.rna", hint="W suivi de 9 chiffres"),
    FieldSpec("civility", "Civilité", "radio", choices=(("madame", "Madame"), ("monsieur", "Monsieur")),
              target="profile.civility"),
    FieldSpec("birth_name", "Nom de naissance", autocomplete="family-name", target="family_name"),
    FieldSpec("usage_name", "Nom d'usage", autocomplete="off", target="profile.usage_name",
              hint="Si différent du nom de naissance"),
    FieldSpec("given_name", "Prénom", autocomplete="given-name", target="given_name"),
    FieldSpec("given_names", "Prénoms", autocomplete="given-name", target="given_name",
              hint="Dans l'ordre de l'état civil"),
    FieldSpec("birthdate", "Date de naissance", "date", autocomplete="bday", validator="birthdate",
              target="birthdate"),
    FieldSpec("email", "Adresse électronique", "email", autocomplete="email", inputmode="email",
              validator="email", target="email", hint="Format : nom@domaine.fr"),
    FieldSpec("phone", "Téléphone fixe", "tel", autocomplete="tel", inputmode="tel", validator="phone",
              target="profile.landline", hint="Exemple : 01.01.01.01.01"),
    FieldSpec("mobile", "Téléphone mobile", "tel", autocomplete="tel", inputmode="tel",
              validator="mobile_phone", target="phone_number", hint="Exemple : 06.01.01.01.01"),
    FieldSpec("opt_in_email", "Je souhaite recevoir les lettres d'information par courriel", "checkbox",
              target="profile.opt_in_email"),
    FieldSpec("opt_in_sms", "Je souhaite recevoir les informations par SMS", "checkbox",
              target="profile.opt_in_sms"),
    FieldSpec("household_file", "Numéro allocataire du foyer", inputmode="numeric", target="profile.household_file",
              pattern=r"\d{7}", pattern_message="Le numéro allocataire comporte 7 chiffres.",
              hint="7 chiffres, sur les courriers de la Caf"),
    FieldSpec("household_role", "Votre place dans le foyer", "radio", target="profile.household_role", choices=(
        ("responsable", "Responsable du dossier"), ("conjoint", "Conjoint, concubin ou partenaire de PACS"),
        ("enfant", "Enfant de plus de 15 ans"), ("personne_a_charge", "Autre personne à charge"))),
    FieldSpec("power_of_attorney", "J'ai une procuration du responsable du dossier", "checkbox",
              target="profile.power_of_attorney"),
    FieldSpec("postal_code", "Code postal", inputmode="numeric", autocomplete="postal-code",
              validator="postal_code", target="profile.postal_code", hint="5 chiffres"),
)}


def spec(name: str) -> FieldSpec:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"unknown signup field {name!r}; known: {', '.join(sorted(CATALOGUE))}") from None


def check_value(field_spec: FieldSpec, raw: str):
    """(normalised value, French error or None) for one typed value."""
    if field_spec.kind == "checkbox":
        return raw == "on", None
    value = (raw or "").strip()
    if field_spec.choices and value not in dict(field_spec.choices):
        return value, "Choisissez une des réponses proposées."
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
