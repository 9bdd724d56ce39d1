"""Structural layer of the NIR (numéro de sécurité sociale) on top of python-stdnum's key.

Source: shared/design/french-identifiers.md §1, which gathers CNAM's own validator
(assurance-maladie-digital/nir-validation), service-public.fr F33078 and the DSS note "Les
règles d'identification et d'immatriculation des assurés". Layout ``S AA MM DD CCC OOO KK``:

- S: 1/2 final NIR; 7/8 provisional number (NIA/NNP); 3-6 (MIG and sources that
  disagree) are refused;
- MM: 01-12, 20-42 ("pseudo-fictif" 31-42 and "fictif"), 50-99 ("mois fictif");
- DD: 01-96 (20 = Corsica before 1976, 2A/2B from 1 January 1976; 91-96 = Algeria,
  Morocco, Tunisia before independence); 97x/98x take 3 characters and leave 2 for the
  commune; 99 = born abroad, followed by the INSEE country code (990 = unknown);
- OOO: 001-999; KK = 97 - (N mod 97) with 2A->19, 2B->18 (stdnum ``fr.nir``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from stdnum.fr import nir as stdnum_nir

from policies.results import Message

BODY = re.compile(r"^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}$")
FINAL_TYPES = frozenset("12")
PROVISIONAL_TYPES = frozenset("78")
OVERSEAS_3 = {"97": "12345678", "98": "456789"}  # 971-978, 984-989 (985: Mayotte before 2011)


def calc_key(body: str) -> str:
    """The two-digit key of a 13-character body (stdnum handles 2A/2B)."""
    return stdnum_nir.calc_check_digits(body)


@dataclass(frozen=True)
class NirParts:
    """A NIR body cut into its fields."""

    type_digit: str
    year: str
    month: str
    department: str
    commune: str
    order: str

    @classmethod
    def split(cls, body: str) -> "NirParts":
        dept_len = 3 if body[5:7] in OVERSEAS_3 else 2
        return cls(body[0], body[1:3], body[3:5], body[5:5 + dept_len], body[5 + dept_len:10], body[10:13])

    @property
    def provisional(self) -> bool:
        return self.type_digit in PROVISIONAL_TYPES

    @property
    def born_abroad(self) -> bool:
        return self.department == "99"

    @property
    def country_code(self) -> str | None:
        return "99" + self.commune if self.born_abroad else None


def month_is_valid(month: str) -> bool:
    number = int(month)
    return 1 <= number <= 12 or 20 <= number <= 42 or 50 <= number <= 99


def _corsica_failures(parts: NirParts, today: datetime.date) -> list[Message]:
    """2A/2B only from 1976; 20 not for a birth known to be 1976-1999 (years are 2 digits)."""
    year = int(parts.year)
    this_year = today.year % 100
    if parts.department in ("2A", "2B") and this_year < year < 76:
        return [Message.of("nir.corsica_before_1976")]
    if parts.department == "20" and year >= 76 and year > this_year:
        return [Message.of("nir.corsica_20_after_1976")]
    return []


def department_failures(parts: NirParts, today: datetime.date) -> list[Message]:
    dept = parts.department
    if len(dept) == 3:
        if dept[2] not in OVERSEAS_3[dept[:2]]:
            return [Message.of("nir.bad_department")]
        return []
    if dept in ("2A", "2B", "20"):
        return _corsica_failures(parts, today)
    if dept == "00":
        return [Message.of("nir.bad_department")]
    return []


def place_failures(parts: NirParts) -> list[Message]:
    if parts.born_abroad:
        number = int(parts.commune)
        if not (100 <= number <= 599 or number == 990):
            return [Message.of("nir.bad_country")]
        return []
    if int(parts.commune) == 0:
        return [Message.of("nir.bad_commune")]
    return []


def structure_failures(body: str, today: datetime.date | None = None) -> list[Message]:
    """Every structural problem of a well-formed 13-character body (key excluded)."""
    parts = NirParts.split(body)
    found: list[Message] = []
    if parts.type_digit not in FINAL_TYPES | PROVISIONAL_TYPES:
        found.append(Message.of("nir.bad_sex"))
    if not month_is_valid(parts.month):
        found.append(Message.of("nir.bad_month"))
    found += department_failures(parts, today or datetime.date.today())
    found += place_failures(parts)
    if parts.order == "000":
        found.append(Message.of("nir.bad_order"))
    return found
