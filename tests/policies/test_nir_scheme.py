"""The ``nir`` and ``nir13`` identifier schemes (french-identifiers.md §1-2, seed 003)."""

from __future__ import annotations

import datetime

import pytest
from nir_helpers import full

from policies import identifier_scheme
from policies.identifiers.nir_structure import NirParts

NIR = identifier_scheme("nir")
NIR13 = identifier_scheme("nir13")


@pytest.mark.parametrize("vector", ["253072A07300443", "253072B07300470"])
def test_corsica_key_vectors(vector):
    # Births in 1953: the key is right (no nir.bad_key); only the 1976 rule objects.
    assert NIR.check(vector).codes == ["nir.corsica_before_1976"]
    lenient = identifier_scheme("nir", corsica_from_1976=False)
    assert lenient.check(vector).passing
    assert lenient.check(vector[:-1] + str((int(vector[-1]) + 1) % 10)).codes == ["nir.bad_key"]


def test_corsica_2a_and_2b_give_different_keys():
    assert full("180032A004123")[-2:] != full("180032B004123")[-2:]
    assert NIR.check(full("180032A004123")).passing
    assert NIR.check(full("180032B004123")).passing


def test_corsica_20_only_before_1976():
    assert NIR.check(full("1530320004123")).passing
    assert NIR.check(full("1800320004123")).codes == ["nir.corsica_20_after_1976"]


@pytest.mark.parametrize("raw", [
    "1 84 12 76 451 089 46", "1.84.12.76.451.089.46", "1-84-12-76-451-089-46", " 184127645108946 ",
])
def test_separators_are_ignored(raw):
    assert NIR.check(raw).value == "184127645108946"


def test_lower_case_2a_is_upper_cased():
    assert identifier_scheme("nir", corsica_from_1976=False).check("2 53 07 2a 073 004 43").value == "253072A07300443"


def test_nir13_is_the_body_and_accepts_the_full_number():
    assert NIR13.check("1841276451089").value == "1841276451089"
    assert NIR13.check("184127645108946").value == "1841276451089"  # key checked, then dropped
    assert NIR13.check("184127645108947").codes == ["nir.bad_key"]
    assert NIR.check("1841276451089").codes == ["nir.bad_length"]
    assert NIR13.check("184127645108").messages[0].params == {"expected": 13, "length": 12}


@pytest.mark.parametrize("month, passing", [
    ("00", False), ("01", True), ("12", True), ("13", False), ("19", False), ("20", True),
    ("31", True), ("42", True), ("43", False), ("49", False), ("50", True), ("99", True),
])
def test_months_including_unknown_month_ranges(month, passing):
    result = NIR.check(full(f"184{month}76451089"))
    assert result.passing is passing
    assert result.codes == ([] if passing else ["nir.bad_month"])


@pytest.mark.parametrize("body, code", [
    ("1840100451089", "nir.bad_department"),  # département 00
    ("1840197923089", "nir.bad_department"),  # 979 does not exist
    ("1840198323089", "nir.bad_department"),  # 983 does not exist
    ("1840197100089", "nir.bad_commune"),  # commune 00 after 971
    ("1840176000089", "nir.bad_commune"),
    ("1840199000089", "nir.bad_country"),
    ("1840199999089", "nir.bad_country"),
    ("1840176451000", "nir.bad_order"),
    ("3840176451089", "nir.bad_sex"),
    ("9840176451089", "nir.bad_sex"),
])
def test_structural_errors(body, code):
    assert NIR.check(full(body)).codes == [code]


@pytest.mark.parametrize("body", [
    "1840197123089",  # Guadeloupe: 971 + commune 23
    "2900197623456",  # Mayotte
    "1840198714089",  # Polynésie 987 + 14
    "1840199109089",  # born in Germany (99109)
    "1840199990089",  # country unknown
    "1840196451089",  # Tunisia before independence
])
def test_overseas_and_abroad(body):
    assert NIR.check(full(body)).passing


def test_decoding_the_overseas_split():
    parts = NirParts.split("1840197123089")
    assert (parts.department, parts.commune, parts.order) == ("971", "23", "089")
    assert NirParts.split("1840199109089").country_code == "99109"


def test_final_and_provisional_numbers():
    provisional = full("7840199109089")
    assert NIR.check(provisional).codes == ["nir.provisional_refused"]
    assert identifier_scheme("nir", accept_provisional=True).check(provisional).passing
    only_provisional = identifier_scheme("nir", accept_provisional=True, accept_final=False)
    assert only_provisional.check(full("1840199109089")).codes == ["nir.final_refused"]
    assert NIR.decode(provisional) is None
    assert identifier_scheme("nir", accept_provisional=True).decode(provisional).provisional


def test_caf_login_accepts_its_provisional_identifier():
    caf = identifier_scheme("nir13", provisional_id_prefix="P")
    assert caf.check("P012345678958").value == "P012345678958"
    assert caf.check("P012345678959").codes == ["provisional.bad_key"]
    assert NIR13.check("P012345678958").codes == ["nir.bad_characters"]


def test_mask_hides_place_order_and_key():
    assert NIR.mask("184127645108946") == "1 84 12 ** *** *** **"
    assert NIR13.mask("1841276451089") == "1 84 12 ** *** ***"
    assert NIR.mask("12") == "**"


def test_labels_and_keyboard():
    assert NIR13.label["fr"] == "Numéro de sécurité sociale (13 caractères)"
    assert NIR.input_mode == "numeric" and NIR.autocomplete == "username"
    assert identifier_scheme("nir", input_mode="text").input_mode == "text"


def test_empty_and_garbage():
    assert NIR.check("").codes == ["required"]
    assert NIR.check("18412764510894X").codes == ["nir.bad_characters"]
    assert NIR.check("1841276451089AB").codes == ["nir.bad_characters"]


def test_known_logins_of_the_demo_tenants():
    assert NIR13.check("1840312345678").passing
    assert NIR13.check("2910775123456").passing


def test_future_year_2a_is_possible():
    # 2-digit years: "24" may be 2024, so 2A stays possible
    year = datetime.date.today().year % 100
    assert NIR.check(full(f"1{year:02d}012A004123")).passing
