"""Password presets against the seeds' rules, each bound tested on both sides."""

from __future__ import annotations

import pytest

from policies import PasswordPolicy, PolicyConfigError, password_policy


def codes(preset: str, password: str, **context) -> list[str]:
    return password_policy(preset).check(password, **context).codes


# --- mairie (seed 001): ≥ 8 characters, 1 upper-case, 1 digit, strength ≥ "Moyen" ---------

def test_mairie_checklist_is_the_seed_one():
    texts = [r.fr for r in password_policy("mairie").requirements()]
    assert texts == ["Le niveau « Moyen »", "Au moins 8 caractères", "Au moins 1 majuscule", "Au moins 1 chiffre"]


@pytest.mark.parametrize("password, expected", [
    ("Maison1", ["password.too_short", "password.too_weak"]),  # 7 characters
    ("Maison12", []),  # 8 characters: the bound
    ("chevalrouge7", ["password.missing_upper"]),
    ("Chevalrouge", ["password.missing_digit"]),
    ("Qwerty12", ["password.too_weak"]),  # rules met, strength "Très faible"
    ("Mairie2024Demo", []),
])
def test_mairie_rules(password, expected):
    assert codes("mairie", password) == expected


def test_mairie_strength_meter_labels():
    policy = password_policy("mairie")
    assert policy.strength("Qwerty12").label == "Très faible"
    assert policy.strength("Maison12").label == "Moyen"
    assert policy.strength("Mairie2024").label == "Fort"
    assert policy.strength("Maison12").level == 2


def test_mairie_has_no_maximum_but_a_hard_cap():
    policy = password_policy("mairie")
    assert policy.check("Maison12" + "x" * 1000).passing
    assert policy.check("Maison12" + "x" * 1020).codes[0] == "password.too_long"


# --- ameli (seed 002): 8-50, Latin letters, ≥ 1 digit, ≥ 1 special ------------------------

@pytest.mark.parametrize("password, expected", [
    ("Sante-1", ["password.too_short"]),
    ("Sante-12", []),
    ("Sante-2024!", []),
    ("S-1" + "a" * 47, []),  # 50 characters
    ("S-1" + "a" * 48, ["password.too_long"]),  # 51
    ("Sante-abc", ["password.missing_digit"]),
    ("Sante2024", ["password.missing_special"]),
    ("santé-2024", []),  # accented Latin letters are Latin letters
    ("Здоровье-2024", ["password.not_latin"]),
    ("2024-2025!", []),  # letters are allowed, not required
])
def test_ameli_rules(password, expected):
    assert codes("ameli", password) == expected


# --- caf (seed 004): 10-64, ≥ 1 digit, lower, upper, no specials, no accents ----------------

@pytest.mark.parametrize("password, expected", [
    ("Allocat12", ["password.too_short"]),  # 9
    ("Allocat123", []),  # 10
    ("Aa1" + "b" * 61, []),  # 64
    ("Aa1" + "b" * 62, ["password.too_long"]),  # 65
    ("allocation2024", ["password.missing_upper"]),
    ("ALLOCATION2024", ["password.missing_lower"]),
    ("Allocations", ["password.missing_digit"]),
    ("Allocation-2024", ["password.special_forbidden"]),
    ("Allocation 2024", ["password.special_forbidden"]),
    ("Allocatïon2024", ["password.accent_forbidden"]),
    ("Élocution2024", ["password.accent_forbidden"]),
])
def test_caf_rules(password, expected):
    assert codes("caf", password) == expected


def test_caf_checklist_and_login_bounds():
    policy = password_policy("caf")
    assert [r.fr for r in policy.requirements()] == [
        "Entre 10 et 64 caractères", "Au moins 1 majuscule", "Au moins 1 minuscule",
        "Au moins 1 chiffre", "Aucun caractère spécial", "Aucune lettre accentuée",
    ]
    assert not policy.accepts_at_login("Abcdef1")  # 7
    assert policy.accepts_at_login("Abcdef12")  # 8: older passwords still work
    assert policy.accepts_at_login("A" * 64)
    assert not policy.accepts_at_login("A" * 65)


# --- cnil (délibération 2022-100, case 1) ---------------------------------------------------

@pytest.mark.parametrize("password, expected", [
    ("Kx7#mPq2vL9", ["password.too_short"]),  # 11
    ("Kx7#mPq2vL9z", []),  # 12
    ("kx7#mpq2vl9z", ["password.missing_upper"]),
    ("KX7#MPQ2VL9Z", ["password.missing_lower"]),
    ("Kx!#mPq?vL-z", ["password.missing_digit"]),
    ("Kx7bmPq2vL9z", ["password.missing_special"]),
    ("Password123!", ["password.common"]),  # a common password with decorations
])
def test_cnil_rules(password, expected):
    assert codes("cnil", password) == expected


def test_cnil_refuses_identifier_and_names():
    found = codes("cnil", "Jean.Dupont#2024", identifier="jean.dupont", names=["Jean", "Dupont"])
    assert found == ["password.contains_identifier", "password.contains_name"]
    assert codes("cnil", "Lætitia#Cœur2024", names=["Laetitia"]) == ["password.contains_name"]


def test_cnil_is_case_1_and_seed_presets_case_2():
    assert password_policy("cnil").cnil_case == 1
    assert {password_policy(p).cnil_case for p in ("mairie", "ameli", "caf")} == {2}
    assert password_policy("cnil").warnings() == []
    assert password_policy("caf", throttled=False).warnings()


def test_overrides_apply_on_top_of_a_preset():
    policy = password_policy("caf", min_length=12, forbid_common=True)
    assert policy.preset == "caf"
    assert policy.check("Allocat1234").codes == ["password.too_short"]
    assert policy.check("Chevalrouge7").passing
    assert password_policy("caf", forbid_common=True).check("Motdepasse1").codes == ["password.common"]


@pytest.mark.parametrize("params, key", [
    ({"min_length": 0}, "min_length"),
    ({"min_length": "8"}, "min_length"),
    ({"max_length": 4, "min_length": 8}, "max_length"),
    ({"alphabet": "cyrillic"}, "alphabet"),
    ({"alphabet": "ascii_letters_digits", "min_special": 1}, "min_special"),
    ({"min_strength": "Excellent"}, "min_strength"),
    ({"throttled": "yes"}, "throttled"),
    ({"min_upper": 30, "max_length": 20}, "max_length"),
])
def test_bad_parameters_name_the_key(params, key):
    with pytest.raises(PolicyConfigError) as raised:
        PasswordPolicy(**params)
    assert raised.value.key == key
    assert str(raised.value).startswith(f"{key}: ")
