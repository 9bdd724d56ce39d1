"""The place of birth a NIR names, in the INSEE COG codes FranceConnect uses.

A NIR's digits 6-10 are the département and commune of birth *at the time of birth*, or 99
and the country (french-identifiers.md §1); FranceConnect's identité pivot gives a COG
commune code (``birthplace``, ``""`` abroad) and a COG country code (``birthcountry``,
``99100`` for France). This module turns the first into the second and says whether two
commune codes name the same place:

- 99 + country: born abroad in that country (990: the country is unknown);
- 20 (Corsica before 1976): today's 2A or 2B code of the same commune number (Corsica's
  communes kept their numbers when the département was split, and 2A and 2B share none);
- 91-94 before 1968: Algeria before 1962 (99352), since these codes were Algeria's until
  the Île-de-France départements took them in 1968; 95 before 1968: Morocco (99350);
  96: Tunisia (99351);
- 97x/98x (overseas départements and collectivités): three digits of département, two of
  commune, which together are the COG commune code, born in France;
- otherwise the code itself, born in France, even when today's COG no longer lists it
  (a commune merged into another keeps, in the civil registry, the code it had at birth).

No Flask, no database: the COG table is :mod:`policies.cog`.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies import cog
from policies.identifiers.nir_structure import NirParts

FRANCE = cog.FRANCE
UNKNOWN_COUNTRY = "99990"
# before 1968, when 91-95 became Île-de-France's; 96 was never used in metropolitan France
FORMER_TERRITORIES = {"91": "99352", "92": "99352", "93": "99352", "94": "99352", "95": "99350"}
TUNISIA = "99351"


@dataclass(frozen=True)
class BirthPlace:
    """``country`` a COG country code; ``commune`` a COG commune code when born in France, else ""."""

    country: str
    commune: str = ""

    @property
    def in_france(self) -> bool:
        return self.country == FRANCE

    @property
    def country_known(self) -> bool:
        return self.country != UNKNOWN_COUNTRY


def of_nir(parts: NirParts, birthdate: str = "") -> BirthPlace:
    """Where the NIR says its holder was born; ``birthdate`` (``YYYY-MM-DD``, may be "")
    tells the century the NIR's two-digit year cannot."""
    department = parts.department
    if parts.born_abroad:
        return BirthPlace(parts.country_code or UNKNOWN_COUNTRY)
    if department == "96":
        return BirthPlace(TUNISIA)
    if department in FORMER_TERRITORIES and _before_1968(parts, birthdate):
        return BirthPlace(FORMER_TERRITORIES[department])
    if department == "20":
        return BirthPlace(FRANCE, corsica_today(parts.commune))
    return BirthPlace(FRANCE, department + parts.commune)


def _before_1968(parts: NirParts, birthdate: str) -> bool:
    if len(birthdate) >= 4 and birthdate[:4].isdigit():
        return birthdate[:4] < "1968"
    return False    # without the century, today's départements are the likelier reading


def corsica_today(commune: str) -> str:
    """``004`` (département 20) → ``2A004``; ``20`` + the number when neither 2A nor 2B has it."""
    for department in ("2A", "2B"):
        if cog.commune_name(department + commune) is not None:
            return department + commune
    return "20" + commune


def same_commune(first: str, second: str) -> bool:
    """Two COG commune codes name the same place of birth:

    - the same code, Corsica's 20 read as 2A/2B;
    - Paris, Lyon or Marseille given as the city (75056, 69123, 13055) and one of its
      arrondissements (751xx, 6938x, 132xx), either way round;
    - a code today's COG does not list (a commune merged since) and any code of the same
      département: which commune absorbed it is not in the table, the département is."""
    first, second = (first or "").upper(), (second or "").upper()
    if not first or not second:
        return False
    if first == second:
        return True
    if first[:2] == "20" or second[:2] == "20":
        return first[2:] == second[2:] and {first[:2], second[:2]} <= {"20", "2A", "2B"}
    city = _city(first)
    if city is not None and city == _city(second) and city in (first, second):
        return True
    if cog.commune_name(first) is None or cog.commune_name(second) is None:
        return first[:2] == second[:2]
    return False


ARRONDISSEMENT_PREFIXES = {"75056": "751", "69123": "6938", "13055": "132"}


def _city(code: str) -> str | None:
    """The city with arrondissements ``code`` is, or is an arrondissement of."""
    for city, prefix in ARRONDISSEMENT_PREFIXES.items():
        if code == city or (code.startswith(prefix) and len(code) == 5):
            return city
    return None
