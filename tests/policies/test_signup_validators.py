"""Validators of the signup forms, through the registry (french-identifiers.md §2-7, seeds)."""

from __future__ import annotations

import datetime

import pytest

from policies import validator

phone = validator("phone")
mobile = validator("mobile_phone")


@pytest.mark.parametrize("raw, e164", [
    ("01.01.01.01.01", "+33101010101"),  # seed 001's landline example
    ("06.12.34.56.78", "+33612345678"),
    ("06-12-34-56-78", "+33612345678"),
    ("0033612345678", "+33612345678"),
    ("+33 (0)6 12 34 56 78", "+33612345678"),
    ("0596 61 12 34", "+596596611234"),  # Martinique, not +33596611234
    ("0590 27 12 34", "+590590271234"),  # Guadeloupe / Saint-Barthélemy
    ("0690 12 34 56", "+590690123456"),
    ("0692 12 34 56", "+262692123456"),  # La Réunion mobile
    ("0269 61 12 34", "+262269611234"),  # Mayotte, +262
    ("0594 29 12 34", "+594594291234"),  # Guyane
    ("+687 75 12 34", "+687751234"),  # Nouvelle-Calédonie
])
def test_phone_numbers(raw, e164):
    assert phone(raw).value == e164


@pytest.mark.parametrize("raw", ["07 00 00 00 00", "07 12 34 56 78", "12", "abc"])
def test_invalid_phone_numbers(raw):
    assert phone(raw).codes == ["phone.invalid"]


def test_sms_needs_a_mobile():
    assert mobile("06 12 34 56 78").passing
    assert mobile("0692 12 34 56").passing
    assert mobile("01.01.01.01.01").codes == ["phone.not_mobile"]
    assert mobile("0596 61 12 34").codes == ["phone.not_mobile"]


def test_phone_countries_can_be_limited():
    french = validator("phone", regions=["FR", "GP", "MQ", "GF", "RE", "YT"])
    assert french("0596 61 12 34").passing
    assert french("+49 30 901820").codes == ["phone.region_refused"]


postal = validator("postal_code")


@pytest.mark.parametrize("raw", [
    "75001", "20000", "20200", "97133", "97150", "97500", "97411", "98714", "98800", "99109",
])
def test_postal_codes(raw):
    assert postal(raw).value == raw


@pytest.mark.parametrize("raw, code", [
    ("7500", "postal_code.bad_format"), ("75OO1", "postal_code.bad_format"),
    ("00100", "postal_code.unknown"), ("96000", "postal_code.unknown"),
    ("97700", "postal_code.unknown"), ("98400", "postal_code.unknown"),
    ("99999", "postal_code.unknown_country"), ("99100", "postal_code.unknown_country"),
])
def test_bad_postal_codes(raw, code):
    assert postal(raw).codes == [code]


def test_postal_codes_against_the_table():
    known = validator("postal_code", known_only=True)
    assert known("75001").passing and known("97133").passing
    assert known("75999").codes == ["postal_code.unknown"]
    assert validator("postal_code", abroad=False)("99109").codes == ["postal_code.unknown_country"]


TODAY = datetime.date(2026, 6, 15)
birthdate = validator("birthdate", today=TODAY)


def test_birthdates():
    assert birthdate("01/01/2000").value == datetime.date(2000, 1, 1)  # seed 001's example
    assert birthdate("2000-01-01").value == datetime.date(2000, 1, 1)
    assert birthdate("31/02/2000").codes == ["birthdate.invalid"]
    assert birthdate("demain").codes == ["birthdate.invalid"]
    assert birthdate("16/06/2026").codes == ["birthdate.in_future"]
    assert birthdate("15/06/2026").passing
    assert birthdate("16/06/1895").passing  # 130 until tomorrow
    assert birthdate("15/06/1895").codes == ["birthdate.too_old"]  # 131 today
    adult = validator("birthdate", today=TODAY, min_age=15)  # CAF: own space from 15
    assert adult("15/06/2011").passing
    assert adult("16/06/2011").messages[0].fr == "Vous devez avoir au moins 15 ans."


iban = validator("iban")


def test_iban_with_rib_key():
    assert iban("FR76 3000 6000 0112 3456 7890 189").value == "FR7630006000011234567890189"
    assert iban("FR5430006000011234567890100").codes == ["iban.bad_rib_key"]  # forged: passes stdnum
    assert iban("FR7630006000011234567890188").codes == ["iban.bad_checksum"]
    assert iban("FR76300060000112345678901").codes == ["iban.bad_length"]
    assert iban("DE89370400440532013000").passing
    assert validator("iban", countries=["FR", "MC"])("DE89370400440532013000").codes == ["iban.country_refused"]


def test_forged_iban_passes_stdnum_but_not_us():
    from stdnum import iban as stdnum_iban

    assert stdnum_iban.is_valid("FR5430006000011234567890100")
    assert not iban("FR5430006000011234567890100").passing


def test_iban_last_7():
    last7 = validator("iban_last7")
    assert last7("789 0189").value == "7890189"
    assert last7("789018").codes == ["iban_last7.bad_format"]
    known = validator("iban_last7", iban="FR7630006000011234567890189")
    assert known("7890189").passing
    assert known("7890188").codes == ["iban_last7.mismatch"]


def test_carte_vitale():
    vitale = validator("vitale")
    with_photo = validator("vitale", photo=True)
    assert with_photo("12345678901").passing
    assert with_photo("1234567890").value == "12345678909"  # "rajouter le chiffre 9"
    assert with_photo("123456789").codes == ["vitale.bad_length_photo"]
    assert vitale("12345678").passing and vitale("1234567890123").passing
    assert vitale("1234567").codes == ["vitale.bad_length"]
    assert vitale("12345678901234").codes == ["vitale.bad_length"]
    assert vitale("1234567A").codes == ["vitale.bad_format"]


def test_identity_documents():
    document = validator("identity_document")
    assert document("X4RTBPFW4").value == {"kind": "cni", "number": "X4RTBPFW4"}
    assert document("x4rt bpfw4", check_digit="6").passing
    assert document("X4RTBPFW4", check_digit="5").codes == ["identity.bad_check_digit"]
    assert document("08CD50338", kind="passport", check_digit="0").value["kind"] == "passport"
    assert document("880692310285").value["kind"] == "cni_old"
    assert document("880692310285", kind="cni").value["kind"] == "cni_old"
    assert document("1234567890", kind="residence_permit").passing
    assert document("08CD5033", kind="passport").codes == ["identity.passport_bad_format"]
    assert document("ABC", kind="residence_permit").codes == ["identity.residence_permit_bad_format"]
    assert document("??").codes == ["identity.unknown_format"]


def test_icao_check_digits():
    from policies.validators.documents import icao_check_digit

    assert icao_check_digit("X4RTBPFW4") == "6"
    assert icao_check_digit("08CD50338") == "0"
    assert icao_check_digit("AB<<") == icao_check_digit("AB00")


def test_siren_siret_rna():
    assert validator("siren")("732 829 320").value == "732829320"
    assert validator("siren")("732829321").codes == ["siren.bad_checksum"]
    assert validator("siren")("73282932").codes == ["siren.bad_format"]
    siret = validator("siret")
    assert siret("732 829 320 00074").passing
    assert siret("35600000000048").passing  # La Poste head office (Luhn)
    assert siret("35600000049837").passing  # La Poste establishment: digit sum rule
    assert siret("35600000049838").codes == ["siret.bad_checksum"]
    assert validator("rna")("w751234567").value == "W751234567"
    assert validator("rna")("W75123456").codes == ["rna.bad_format"]


def test_insee_codes():
    commune = validator("insee_commune")
    assert commune("2a004").value == "2A004"
    assert commune("97411").passing and commune("98714").passing
    assert commune("75000").codes == ["insee_commune.bad_format"]
    assert commune("96001").codes == ["insee_commune.bad_format"]
    assert validator("insee_commune", known_only=True)("75056").passing
    assert validator("insee_commune", known_only=True)("01999").codes == ["insee_commune.unknown"]
    country = validator("insee_country")
    assert country("99109").passing
    assert country("99100").codes == ["insee_country.unknown"]
    assert validator("insee_country", allow_france=True)("99100").passing
    assert country("99999").codes == ["insee_country.unknown"]
    assert country("75056").codes == ["insee_country.bad_format"]
    birthplace = validator("insee_birthplace")
    assert birthplace("99109").passing and birthplace("2B033").passing


def test_cog_tables():
    from policies import cog

    assert cog.commune_name("2A004") == "AJACCIO"
    assert cog.country_name("99109") == "ALLEMAGNE"
    assert cog.departements()["976"] == "Mayotte"
    assert len(cog.communes()) > 30_000 and len(cog.countries()) > 200


def test_every_validator_says_required_on_empty_input():
    from policies.registry import VALIDATORS

    for name, check in VALIDATORS.items():
        assert check("").codes == ["required"], name
