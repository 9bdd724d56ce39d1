"""Date of birth: a real date, not in the future, a plausible age.

The seeds type dates as ``JJ/MM/AAAA`` (seed 001: ``01/01/2000``); HTML date inputs send
``AAAA-MM-JJ``; both are accepted, and so are ``.`` or ``-`` between day, month and year.
"""

from __future__ import annotations

import datetime
import re

from policies.results import Message, Result

_FRENCH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(raw: str | datetime.date) -> datetime.date | None:
    """``"01/01/2000"`` or ``"2000-01-01"`` -> ``date(2000, 1, 1)``; None if not a date."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = (raw or "").strip()
    iso, french = _ISO.match(text), _FRENCH.match(text)
    try:
        if iso:
            return datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if french:
            return datetime.date(int(french[3]), int(french[2]), int(french[1]))
    except ValueError:
        return None
    return None


def age_on(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def birthdate(raw: str | datetime.date, min_age: int = 0, max_age: int = 130,
              today: datetime.date | None = None) -> Result:
    """Check a date of birth; ``value`` is a :class:`datetime.date`."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Result.fail(Message.of("required"))
    born = parse_date(raw)
    if born is None:
        return Result.fail(Message.of("birthdate.invalid"))
    today = today or datetime.date.today()
    if born > today:
        return Result.fail(Message.of("birthdate.in_future"))
    age = age_on(born, today)
    if age > max_age:
        return Result.fail(Message.of("birthdate.too_old", max_age=max_age))
    if age < min_age:
        return Result.fail(Message.of("birthdate.too_young", min_age=min_age))
    return Result.ok(born)
