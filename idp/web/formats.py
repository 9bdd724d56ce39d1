"""Dates, times and phone numbers as a French reader expects them on the pages.

- a date: "17 mai 1990" ("1er mai" for the first), never ISO;
- a moment: in Europe/Paris time, whatever the server's zone (the database keeps UTC):
  "17 mai 2024 à 14 h 05";
- a phone: the national format for French numbers, overseas included ("06 12 34 56 78",
  "0692 12 34 56"), the international one for others; stored as E.164.

Date inputs follow the DSFR's pattern (day, month, year: three fields), split again here
for a page shown anew.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import phonenumbers
from babel.dates import format_date

from idp.web.i18n import current_language

PARIS = ZoneInfo("Europe/Paris")
FRENCH_REGIONS = {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"}


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def long_date(value) -> str:
    """``1990-05-17`` → ``17 mai 1990``; a value that is not a date is shown as given."""
    day = _as_date(value)
    if day is None:
        return value or ""
    language = current_language()
    text = format_date(day, "d MMMM y", locale=language)
    return "1er" + text[1:] if language == "fr" and day.day == 1 else text


def paris_time(moment: datetime.datetime | None) -> str:
    """A UTC moment (naive ones are UTC, as the database stores them) in Paris time."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    local = moment.astimezone(PARIS)
    if current_language() == "en":
        return f"{long_date(local.date())} at {local:%H:%M}"
    return f"{long_date(local.date())} à {local.hour} h {local:%M}"


def phone(value: str | None) -> str:
    """``+33612345678`` → ``06 12 34 56 78``."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return value
    region = phonenumbers.region_code_for_number(number)
    style = phonenumbers.PhoneNumberFormat.NATIONAL if region in FRENCH_REGIONS \
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def date_parts(value) -> tuple[str, str, str]:
    """(day, month, year) to fill the three fields of a date again: from an ISO date, from
    what was typed (``17/5/1990``), else empty."""
    day = _as_date(value)
    if day is not None:
        return str(day.day), str(day.month), str(day.year)
    parts = str(value or "").replace(".", "/").replace("-", "/").split("/")
    return tuple(parts) if len(parts) == 3 else ("", "", "")


def password_noun() -> str:
    """What the pages call the password: the tenant's word in French ([tenants.*]
    password_label, "Code personnel" on ameli), "Password" in English."""
    from flask import g
    from flask_babel import gettext

    return g.tenant.config.password_label if current_language() == "fr" else gettext("Mot de passe")


def register(blueprint) -> None:
    """The filters for every page, through a blueprint (``app_template_*``)."""
    blueprint.add_app_template_filter(long_date, "long_date")
    blueprint.add_app_template_filter(paris_time, "paris_time")
    blueprint.add_app_template_filter(phone, "phone")
    blueprint.add_app_template_global(date_parts, "date_parts")
    blueprint.add_app_template_global(password_noun, "password_noun")
