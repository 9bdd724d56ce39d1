"""``username`` (seed 001 "prénom.nom", french-identifiers.md §8), ``email``, ``provisional``."""

from __future__ import annotations

import pytest

from policies import IdentifierScheme, identifier_scheme

USERNAME = identifier_scheme("username")


@pytest.mark.parametrize("given, family, expected", [
    ("Jean", "Dupont", "jean.dupont"),
    ("Test", "Test", "test.test"),  # seed 001's own example identity
    ("Lætitia", "Cœur", "laetitia.coeur"),
    ("Søren", "Ørsted", "soren.orsted"),
    ("Đặng", "Văn", "dang.van"),
    ("Aïcha", "N’Diaye", "aicha.ndiaye"),  # typographic apostrophe
    ("Aïcha", "N'Diaye", "aicha.ndiaye"),  # straight apostrophe: the same
    ("Charles", "D'Artagnan", "charles.dartagnan"),
    ("Jean Pierre Marie", "de La Fontaine", "jean.de-la-fontaine"),  # first given name, particles kept
    ("Jean-Pierre", "Le  Goff", "jean-pierre.le-goff"),
    ("Ｊｅａｎ", "Dupont", "jean.dupont"),  # NFKC
])
def test_suggestion(given, family, expected):
    assert USERNAME.suggest(given, family) == expected
    assert USERNAME.check(expected).passing


def test_collision_candidates():
    assert USERNAME.candidates("Jean", "Dupont", limit=4) == [
        "jean.dupont", "jean.dupont2", "jean.dupont3", "jean.dupont4"]


def test_length_cap_keeps_room_for_the_suffix():
    scheme = identifier_scheme("username", max_length=20)
    candidates = scheme.candidates("Maximilienne", "de La Tour d'Auvergne-Lauraguais", limit=12)
    assert all(len(c) <= 20 and scheme.check(c).passing for c in candidates)
    assert candidates[11].endswith("12")
    assert len(set(candidates)) == 12


def test_empty_names_still_suggest_something_valid():
    assert USERNAME.check(USERNAME.suggest("", "")).passing
    assert USERNAME.suggest("", "Dupont") == "dupont"


@pytest.mark.parametrize("raw, code", [
    ("", "required"),
    ("jd", "username.too_short"),
    ("a" * 65, "username.too_long"),
    ("jean dupont", "username.bad_characters"),
    ("jéan.dupont", "username.bad_characters"),
    (".jean", "username.bad_separators"),
    ("jean..dupont", "username.bad_separators"),
    ("jean.", "username.bad_separators"),
    ("1841276451089", "username.needs_letter"),  # never a NIR as a login
])
def test_username_refusals(raw, code):
    assert USERNAME.check(raw).codes == [code]


def test_username_is_case_insensitive():
    assert USERNAME.check("  Jean.Dupont ").value == "jean.dupont"


EMAIL = identifier_scheme("email")


def test_email_is_normalised_without_dns():
    assert EMAIL.check(" Jean.Dupont@Exemple.FR ").value == "jean.dupont@exemple.fr"
    assert EMAIL.check("test@test.fr").passing  # seed 001's example
    assert EMAIL.input_mode == "email" and EMAIL.autocomplete == "email"


@pytest.mark.parametrize("raw", ["jean", "jean@", "@exemple.fr", "jean dupont@exemple.fr", "jean@exemple"])
def test_email_refusals(raw):
    result = EMAIL.check(raw)
    assert result.codes == ["email.invalid"]
    assert result.messages[0].fr.startswith("L'adresse e-mail n'est pas valide")


def test_email_mask():
    assert EMAIL.mask("jean.dupont@exemple.fr") == "j***@exemple.fr"


PROVISIONAL = identifier_scheme("provisional")


def test_provisional_format():
    generated = PROVISIONAL.generate()
    assert len(generated) == 13 and generated[0] == "P"
    assert PROVISIONAL.check(generated).value == generated
    assert PROVISIONAL.check("p 01234 56789 58").value == "P012345678958"
    assert PROVISIONAL.check("P01234567895").codes == ["provisional.bad_format"]
    assert PROVISIONAL.check("P012345678957").codes == ["provisional.bad_key"]
    assert PROVISIONAL.mask("P012345678958") == "P 01*** ***** **"


def test_provisional_prefix_is_a_parameter():
    scheme = identifier_scheme("provisional", prefix="ca")
    assert scheme.generate().startswith("CA")
    assert scheme.check("P012345678958").messages[0].fr == (
        "L'identifiant provisoire commence par la lettre CA suivie de 12 chiffres.")


@pytest.mark.parametrize("name", ["nir", "nir13", "provisional", "username", "email"])
def test_every_scheme_meets_the_protocol(name):
    scheme = identifier_scheme(name)
    assert isinstance(scheme, IdentifierScheme)
    assert scheme.name == name
    assert set(scheme.label) == {"fr", "en"}
    assert scheme.input_mode in ("numeric", "text", "email")
    assert scheme.autocomplete in ("username", "email")
