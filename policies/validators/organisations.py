"""SIREN, SIRET (entreprise profile) and RNA (association profile) numbers.

Sources: french-identifiers.md §6. SIREN = 9 digits, Luhn; SIRET = SIREN + NIC, 14 digits,
Luhn, except La Poste establishments (``356000000`` + NIC: digit sum divisible by 5), all
implemented by python-stdnum ``fr.siren`` / ``fr.siret``. RNA: "lettre W suivie de 9
chiffres" (associations.gouv.fr); no checksum exists.
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from policies.results import Message, Result


def _compact_digits(raw: str) -> str:
    return re.sub(r"[\s.\-]", "", raw or "")


def _stdnum_check(module, raw: str, prefix: str, length: int) -> Result:
    value = _compact_digits(raw)
    if not value:
        return Result.fail(Message.of("required"))
    if not (value.isdigit() and len(value) == length):
        return Result.fail(Message.of(f"{prefix}.bad_format"))
    try:
        module.validate(value)
    except InvalidChecksum:
        return Result.fail(Message.of(f"{prefix}.bad_checksum"))
    except ValidationError:
        return Result.fail(Message.of(f"{prefix}.bad_format"))
    return Result.ok(value)


def siren(raw: str) -> Result:
    """Check a SIREN (9 digits, Luhn); ``value`` is the compact number."""
    return _stdnum_check(stdnum_siren, raw, "siren", 9)


def siret(raw: str) -> Result:
    """Check a SIRET (14 digits, Luhn or the La Poste rule); ``value`` is compact."""
    return _stdnum_check(stdnum_siret, raw, "siret", 14)


def rna(raw: str) -> Result:
    """Check an RNA number ``W`` + 9 digits; ``value`` is upper-case and compact."""
    value = _compact_digits(raw).upper()
    if not value:
        return Result.fail(Message.of("required"))
    if not re.fullmatch(r"W[0-9]{9}", value):
        return Result.fail(Message.of("rna.bad_format"))
    return Result.ok(value)
