"""IBAN with the French RIB key, and ameli's "7 derniers chiffres de mon IBAN".

Sources: french-identifiers.md §5. ISO 13616 / ISO 7064 MOD 97-10 for the IBAN; schwifty
(MIT) with ``validate_bban=True`` also checks the French RIB key
(``97 - ((89 x bank + 15 x branch + 3 x account) mod 97)``), which python-stdnum does not:
the forged ``FR5430006000011234567890100`` passes stdnum but not this validator. Seed 002:
"je saisis les 7 derniers chiffres de mon IBAN".
"""

from __future__ import annotations

import hmac
import re
from typing import Iterable

from schwifty import IBAN
from schwifty import exceptions as errors

from policies.results import Message, Result

_RIB_COUNTRIES = ("FR", "MC")  # same BBAN and key (french-identifiers.md §5)


def compact_iban(raw: str) -> str:
    return re.sub(r"[\s.\-]", "", raw or "").upper()


def _failure(error: Exception, country: str) -> Message:
    if isinstance(error, errors.InvalidLength):
        return Message.of("iban.bad_length")
    if isinstance(error, errors.InvalidChecksumDigits):
        return Message.of("iban.bad_checksum")
    if isinstance(error, errors.InvalidBBANChecksum):
        code = "iban.bad_rib_key" if country in _RIB_COUNTRIES else "iban.bad_checksum"
        return Message.of(code)
    return Message.of("iban.bad_format")


def iban(raw: str, countries: Iterable[str] | None = None) -> Result:
    """Check an IBAN; ``value`` is its compact form. ``countries`` limits the accepted ones."""
    value = compact_iban(raw)
    if not value:
        return Result.fail(Message.of("required"))
    try:
        IBAN(value, validate_bban=True)
    except (errors.SchwiftyException, ValueError) as error:
        return Result.fail(_failure(error, value[:2]))
    if countries is not None and value[:2] not in set(countries):
        return Result.fail(Message.of("iban.country_refused", country=value[:2]))
    return Result.ok(value)


def iban_last7(raw: str, iban: str | None = None) -> Result:
    """The last 7 characters of an IBAN; compared in constant time when ``iban`` is given."""
    value = compact_iban(raw)
    if not value:
        return Result.fail(Message.of("required"))
    if not re.fullmatch(r"[0-9A-Z]{7}", value):
        return Result.fail(Message.of("iban_last7.bad_format"))
    if iban is not None and not hmac.compare_digest(value, compact_iban(iban)[-7:]):
        return Result.fail(Message.of("iban_last7.mismatch"))
    return Result.ok(value)
