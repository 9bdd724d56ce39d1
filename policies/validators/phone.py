"""Phone numbers: phonenumbers (Apache-2.0), stored as E.164.

Source: french-identifiers.md §7 (ARCEP plan, overseas pitfalls). With region FR,
``0596 61 12 34`` parses as a valid but wrong ``+33596611234``: a national number whose
first four digits belong to an overseas département is therefore parsed with that region
first (+590 Guadeloupe/Saint-Barthélemy/Saint-Martin, +594 Guyane, +596 Martinique,
+262 La Réunion and Mayotte). Obviously fake numbers such as ``01.01.01.01.01`` (seed 001)
are valid for phonenumbers and are accepted: only the SMS/activation step proves a number.
"""

from __future__ import annotations

import re
from typing import Iterable

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from policies.results import Message, Result

OVERSEAS_PREFIXES = {
    "0590": "GP", "0690": "GP", "0691": "GP",
    "0594": "GF", "0694": "GF",
    "0596": "MQ", "0696": "MQ", "0697": "MQ",
    "0262": "RE", "0263": "RE", "0692": "RE", "0693": "RE",
    "0269": "YT", "0639": "YT",
}
OVERSEAS_REGIONS = ("GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF")
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _regions_to_try(raw: str, region: str) -> list[str]:
    digits = re.sub(r"\D", "", raw)
    if raw.strip().startswith("+") or digits.startswith("00"):
        return [region]
    if region == "FR" and digits[:4] in OVERSEAS_PREFIXES:
        return [OVERSEAS_PREFIXES[digits[:4]], region]
    return [region, *(r for r in OVERSEAS_REGIONS if region == "FR")]


def parse_phone(raw: str, region: str = "FR") -> phonenumbers.PhoneNumber | None:
    """The valid number ``raw`` means, trying the overseas regions as described above."""
    for candidate in _regions_to_try(raw, region):
        number = _parse(raw, candidate)
        if number is not None:
            return number
    return None


def phone(raw: str, region: str = "FR", mobile: bool = False,
          regions: Iterable[str] | None = None) -> Result:
    """Check a phone number; ``value`` is its E.164 form (``+33612345678``).

    ``mobile=True`` refuses numbers that cannot receive an SMS; ``regions`` (ISO codes) limits
    the accepted countries.
    """
    if not (raw or "").strip():
        return Result.fail(Message.of("required"))
    number = parse_phone(raw, region)
    if number is None:
        return Result.fail(Message.of("phone.invalid"))
    if regions is not None and phonenumbers.region_code_for_number(number) not in set(regions):
        return Result.fail(Message.of("phone.region_refused"))
    if mobile and phonenumbers.number_type(number) not in MOBILE_TYPES:
        return Result.fail(Message.of("phone.not_mobile"))
    return Result.ok(phonenumbers.format_number(number, PhoneNumberFormat.E164))


def mobile_phone(raw: str, region: str = "FR", regions: Iterable[str] | None = None) -> Result:
    """A number that can receive the SMS activation code (seed 001, seed 004)."""
    return phone(raw, region=region, mobile=True, regions=regions)
