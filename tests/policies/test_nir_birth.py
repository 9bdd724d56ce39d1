"""Where a NIR says its holder was born, in FranceConnect's COG codes, and when two commune
codes name the same place (policies/identifiers/nir_birth.py)."""

from __future__ import annotations

import pytest

from policies.identifiers.nir_birth import BirthPlace, of_nir, same_commune
from policies.identifiers.nir_structure import NirParts


@pytest.mark.parametrize("body, birthdate, expected", [
    ("2840375107012", "1984-03-17", BirthPlace("99100", "75107")),      # Paris 7e
    ("1580120004012", "1958-01-01", BirthPlace("99100", "2A004")),      # Corsica before 1976: Ajaccio
    ("1600120033012", "1960-01-01", BirthPlace("99100", "2B033")),      # Corsica before 1976: Bastia
    ("1580120999012", "1958-01-01", BirthPlace("99100", "20999")),      # no such commune in 2A or 2B
    ("1550391352012", "1955-03-02", BirthPlace("99352")),               # Algeria before 1962
    ("1550395352012", "1955-03-02", BirthPlace("99350")),               # Morocco (95 before 1968)
    ("1550396352012", "1955-03-02", BirthPlace("99351")),               # Tunisia
    ("1720991228012", "1972-09-01", BirthPlace("99100", "91228")),      # Évry (Essonne, since 1968)
    ("1550391352012", "", BirthPlace("99100", "91352")),                # no century: today's département
    ("2910799134012", "1991-07-28", BirthPlace("99134")),               # Spain
    ("2910799990012", "1991-07-28", BirthPlace("99990")),               # abroad, country unknown
    ("1800397411012", "1980-03-01", BirthPlace("99100", "97411")),      # Saint-Denis (La Réunion)
    ("1800398818012", "1980-03-01", BirthPlace("99100", "98818")),      # Nouméa (New Caledonia)
    ("2910775123456", "1991-07-05", BirthPlace("99100", "75123")),      # not in today's COG: kept
    ("1500350383012", "1950-03-01", BirthPlace("99100", "50383")),      # Octeville, merged in 2000
])
def test_place_of_birth_of_a_nir(body, birthdate, expected):
    assert of_nir(NirParts.split(body), birthdate) == expected


@pytest.mark.parametrize("first, second, same", [
    ("75107", "75107", True),
    ("75107", "75108", False),
    ("75056", "75107", True), ("75107", "75056", True),         # Paris as the city or an arrondissement
    ("69123", "69385", True), ("13055", "13207", True),
    ("69381", "69385", False),                                   # two arrondissements of Lyon
    ("13055", "69123", False), ("75056", "13201", False),        # the city of another one (was a KeyError)
    ("69123", "33063", False), ("33063", "13055", False),
    ("20004", "2A004", True), ("2B033", "20033", True), ("20004", "2B004", True),
    ("20004", "2A005", False), ("2A004", "2B004", False),
    ("50383", "50129", True),                                    # a former commune: its département
    ("50383", "14762", False),
    ("2a004", "2A004", True), ("", "75107", False),
])
def test_same_commune(first, second, same):
    assert same_commune(first, second) is same
