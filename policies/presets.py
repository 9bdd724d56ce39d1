"""Named password-policy presets that reproduce the seeds' rules exactly.

- ``mairie`` (seed 001): "8 caractères, 1 Majuscule, 1 chiffre" and the level "Moyen".
- ``ameli`` (seed 002): "de 8 à 50 caractères incluant des caractères latins majuscules ou
  minuscules ainsi qu'au moins 1 chiffre et 1 caractère spécial".
- ``caf`` (seed 004): "une longueur comprise entre 10 et 64 caractères, au moins 1 chiffre,
  au moins 1 lettre minuscule et 1 majuscule, sans caractères spéciaux ni lettres
  accentuées"; logins accept 8–64 (seed 003's login page; tenants.md decision).
- ``cnil``: CNIL délibération 2022-100, case 1 example (12 characters with upper, lower,
  digits and specials), plus the common-password list, identifier and names: the strong
  default for new tenants.

Decision: the three seed presets add no rule the seed does not state (no common-password
list, no identifier or name check), so the checklist shown matches the seed; a tenant may
switch any of them on (``forbid_common = true``). All three rely on login throttling
(CNIL case 2), since none reaches the ~80 bits of case 1.
"""

from __future__ import annotations

from typing import Any, Mapping

_SEED_DEFAULTS: dict[str, Any] = {
    "forbid_identifier": False,
    "forbid_names": False,
    "forbid_common": False,
    "history_size": 0,
    "throttled": True,
}

PRESETS: dict[str, Mapping[str, Any]] = {
    "mairie": {
        **_SEED_DEFAULTS,
        "min_length": 8,
        "max_length": None,
        "min_upper": 1,
        "min_digit": 1,
        "min_strength": "Moyen",
    },
    "ameli": {
        **_SEED_DEFAULTS,
        "min_length": 8,
        "max_length": 50,
        "alphabet": "latin",
        "min_digit": 1,
        "min_special": 1,
    },
    "caf": {
        **_SEED_DEFAULTS,
        "min_length": 10,
        "max_length": 64,
        "min_digit": 1,
        "min_lower": 1,
        "min_upper": 1,
        "alphabet": "ascii_letters_digits",
        "login_min_length": 8,
        "login_max_length": 64,
    },
    "cnil": {
        "min_length": 12,
        "max_length": 128,
        "min_upper": 1,
        "min_lower": 1,
        "min_digit": 1,
        "min_special": 1,
        "forbid_identifier": True,
        "forbid_names": True,
        "forbid_common": True,
        "throttled": False,
    },
}
