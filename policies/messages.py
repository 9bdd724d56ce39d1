"""Catalogue of every message and requirement text, in French and English.

Declarative on purpose (style.md allows long catalogues): one place to proofread the French.
An entry is either ``(fr, en)`` or, when the text depends on a count,
``Plural(count_param, fr_one, fr_many, en_one, en_many)``. French takes the singular for
0 and 1, English for 1 only. Texts never include the password or identifier itself.
Wording follows the seeds where they give it (seed 001 checklist, seed 004 rules).
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple


class Plural(NamedTuple):
    count: str
    fr_one: str
    fr_many: str
    en_one: str
    en_many: str


_SPECIALS = "(par exemple @ ! # ou %)"

CATALOGUE: dict[str, tuple[str, str] | Plural] = {
    "required": ("Ce champ est obligatoire.", "This field is required."),
    # --- password: failures -------------------------------------------------------------
    "password.too_short": Plural(
        "min",
        "Le mot de passe doit contenir au moins {min} caractère.",
        "Le mot de passe doit contenir au moins {min} caractères.",
        "The password must be at least {min} character long.",
        "The password must be at least {min} characters long.",
    ),
    "password.too_long": Plural(
        "max",
        "Le mot de passe ne doit pas dépasser {max} caractère.",
        "Le mot de passe ne doit pas dépasser {max} caractères.",
        "The password must not be longer than {max} character.",
        "The password must not be longer than {max} characters.",
    ),
    "password.missing_upper": Plural(
        "min",
        "Le mot de passe doit contenir au moins {min} lettre majuscule.",
        "Le mot de passe doit contenir au moins {min} lettres majuscules.",
        "The password must contain at least {min} upper-case letter.",
        "The password must contain at least {min} upper-case letters.",
    ),
    "password.missing_lower": Plural(
        "min",
        "Le mot de passe doit contenir au moins {min} lettre minuscule.",
        "Le mot de passe doit contenir au moins {min} lettres minuscules.",
        "The password must contain at least {min} lower-case letter.",
        "The password must contain at least {min} lower-case letters.",
    ),
    "password.missing_digit": Plural(
        "min",
        "Le mot de passe doit contenir au moins {min} chiffre.",
        "Le mot de passe doit contenir au moins {min} chiffres.",
        "The password must contain at least {min} digit.",
        "The password must contain at least {min} digits.",
    ),
    "password.missing_special": Plural(
        "min",
        "Le mot de passe doit contenir au moins {min} caractère spécial " + _SPECIALS + ".",
        "Le mot de passe doit contenir au moins {min} caractères spéciaux " + _SPECIALS + ".",
        "The password must contain at least {min} special character (such as @ ! # or %).",
        "The password must contain at least {min} special characters (such as @ ! # or %).",
    ),
    "password.special_forbidden": (
        "Le mot de passe ne doit pas contenir de caractères spéciaux : uniquement des lettres et des chiffres.",
        "The password must not contain special characters: letters and digits only.",
    ),
    "password.accent_forbidden": (
        "Le mot de passe ne doit pas contenir de lettres accentuées (é, è, ç, à…).",
        "The password must not contain accented letters (é, è, ç, à…).",
    ),
    "password.not_latin": (
        "Le mot de passe ne doit contenir que des lettres latines, des chiffres et des caractères spéciaux.",
        "The password may contain only Latin letters, digits and special characters.",
    ),
    "password.not_ascii": (
        "Le mot de passe ne doit contenir que des lettres sans accent, des chiffres et des caractères spéciaux courants.",
        "The password may contain only unaccented letters, digits and common special characters.",
    ),
    "password.control_character": (
        "Le mot de passe contient un caractère invisible qui n'est pas autorisé.",
        "The password contains an invisible character that is not allowed.",
    ),
    "password.too_weak": (
        "Le mot de passe est trop facile à deviner : il doit atteindre au moins le niveau « {label} ».",
        "The password is too easy to guess: it must reach at least the \"{label_en}\" level.",
    ),
    "password.contains_identifier": (
        "Le mot de passe ne doit pas contenir votre identifiant.",
        "The password must not contain your username.",
    ),
    "password.contains_name": (
        "Le mot de passe ne doit contenir ni votre nom ni votre prénom.",
        "The password must not contain your surname or given name.",
    ),
    "password.reused": Plural(
        "count",
        "Le mot de passe doit être différent de votre dernier mot de passe.",
        "Le mot de passe doit être différent de vos {count} derniers mots de passe.",
        "The password must differ from your last password.",
        "The password must differ from your last {count} passwords.",
    ),
    "password.common": (
        "Ce mot de passe fait partie des plus courants et serait vite deviné : choisissez-en un autre.",
        "This password is among the most common ones and would be guessed quickly: choose another.",
    ),
    "password.confirmation_mismatch": (
        "Les deux mots de passe saisis ne sont pas identiques.",
        "The two passwords entered do not match.",
    ),
    # --- password: checklist lines (seed 001: "8 caractères, 1 Majuscule, 1 Chiffre") ----
    "password.length_min": Plural(
        "min", "Au moins {min} caractère", "Au moins {min} caractères",
        "At least {min} character", "At least {min} characters",
    ),
    "password.length_range": (
        "Entre {min} et {max} caractères", "Between {min} and {max} characters",
    ),
    "password.length_max": ("{max} caractères au maximum", "At most {max} characters"),
    "password.upper": Plural(
        "min", "Au moins {min} majuscule", "Au moins {min} majuscules",
        "At least {min} upper-case letter", "At least {min} upper-case letters",
    ),
    "password.lower": Plural(
        "min", "Au moins {min} minuscule", "Au moins {min} minuscules",
        "At least {min} lower-case letter", "At least {min} lower-case letters",
    ),
    "password.digit": Plural(
        "min", "Au moins {min} chiffre", "Au moins {min} chiffres",
        "At least {min} digit", "At least {min} digits",
    ),
    "password.special": Plural(
        "min", "Au moins {min} caractère spécial", "Au moins {min} caractères spéciaux",
        "At least {min} special character", "At least {min} special characters",
    ),
    "password.no_special": ("Aucun caractère spécial", "No special characters"),
    "password.no_accent": ("Aucune lettre accentuée", "No accented letters"),
    "password.latin_only": (
        "Lettres latines majuscules ou minuscules", "Latin letters, upper or lower case",
    ),
    "password.ascii_only": (
        "Lettres sans accent, chiffres et caractères spéciaux courants",
        "Unaccented letters, digits and common special characters",
    ),
    "password.strength": ("Le niveau « {label} »", "The \"{label_en}\" level"),
    "password.not_identifier": (
        "Ne contient pas votre identifiant", "Does not contain your username",
    ),
    "password.not_names": (
        "Ne contient ni votre nom ni votre prénom", "Does not contain your names",
    ),
    "password.not_reused": Plural(
        "count",
        "Différent de votre dernier mot de passe",
        "Différent de vos {count} derniers mots de passe",
        "Different from your last password",
        "Different from your last {count} passwords",
    ),
    "password.not_common": (
        "Pas un mot de passe courant", "Not a common password",
    ),
}


def register(entries: dict[str, tuple[str, str] | Plural]) -> None:
    """Add a plugin's messages; codes are namespaced by the plugin (``msa.bad_number``)."""
    clashes = set(entries) & set(CATALOGUE)
    if any(CATALOGUE[code] != entries[code] for code in clashes):
        raise ValueError(f"message codes already defined: {', '.join(sorted(clashes))}")
    CATALOGUE.update(entries)


def render(code: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """Return ``(fr, en)`` for ``code`` with ``params`` substituted.

    Raises ``KeyError`` for an unknown code: a missing translation is a bug, caught by tests.
    """
    entry = CATALOGUE[code]
    if isinstance(entry, Plural):
        count = params.get(entry.count, 2)
        fr = entry.fr_one if count < 2 else entry.fr_many
        en = entry.en_one if count == 1 else entry.en_many
    else:
        fr, en = entry
    return fr.format(**params), en.format(**params)


# Identifier and validator messages live in their own catalogue module, merged here so that
# ``render`` has a single table.
from policies import messages_fields as _fields  # noqa: E402

register(_fields.CATALOGUE)
