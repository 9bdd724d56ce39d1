"""INSEE Code officiel géographique (COG): communes, départements/COM and countries.

Read from ``policies/data/`` (source INSEE, Licence Ouverte 2.0, 2021 vintage; see
data/README.md). The commune table has no COM communes and no communes that disappeared
before 2021: callers treat it as a name lookup, not as the list of every valid birthplace.
"""

from __future__ import annotations

from functools import lru_cache

from policies.datafiles import read_rows

FRANCE = "99100"
# The table lists the municipal arrondissements of the three cities, not the cities themselves.
CITIES_WITH_ARRONDISSEMENTS = {"75056": ("PARIS", "75001"), "69123": ("LYON", "69001"),
                               "13055": ("MARSEILLE", "13001")}


@lru_cache(maxsize=1)
def communes() -> dict[str, tuple[str, tuple[str, ...]]]:
    """COG code -> (name, postal codes)."""
    table = {
        row["code"]: (row["nom"], tuple(filter(None, row["codes_postaux"].split("/"))))
        for row in read_rows("communes.csv")
    }
    for code, (name, postal) in CITIES_WITH_ARRONDISSEMENTS.items():
        table.setdefault(code, (name, (postal,)))
    return table


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """INSEE country code (99xxx) -> name; 99100 is France."""
    table = {row["code"]: row["nom"] for row in read_rows("countries.csv")}
    table[FRANCE] = "FRANCE"
    return table


@lru_cache(maxsize=1)
def departements() -> dict[str, str]:
    """Département or COM code ("01", "2A", "971", "987") -> name."""
    return {row["code"]: row["nom"] for row in read_rows("departements.csv")}


@lru_cache(maxsize=1)
def postal_codes() -> frozenset[str]:
    """Every postal code of the commune table (metropolitan France, Corsica, DROM)."""
    return frozenset(code for _, codes in communes().values() for code in codes)


def commune_name(code: str) -> str | None:
    found = communes().get((code or "").upper())
    return found[0] if found else None


def country_name(code: str) -> str | None:
    return countries().get(code or "")
