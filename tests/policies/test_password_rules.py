"""Password rules outside the presets: history, checklist, strength, alphabets."""

from __future__ import annotations

from policies import PasswordPolicy
from policies.password_rules import common_passwords


def fake_verify(stored: str, password: str) -> bool:
    return stored == "hash:" + password


def test_history_refuses_the_last_n_passwords_only():
    policy = PasswordPolicy(min_length=4, history_size=2, forbid_common=False)
    history = ["hash:Newest1", "hash:Older22", "hash:Oldest3"]
    assert policy.check("Newest1", history=history, verify=fake_verify).codes == ["password.reused"]
    assert policy.check("Older22", history=history, verify=fake_verify).codes == ["password.reused"]
    assert policy.check("Oldest3", history=history, verify=fake_verify).passing
    message = policy.check("Newest1", history=history, verify=fake_verify).messages[0]
    assert message.fr == "Le mot de passe doit être différent de vos 2 derniers mots de passe."


def test_singular_history_message():
    policy = PasswordPolicy(min_length=4, history_size=1, forbid_common=False)
    result = policy.check("Newest1", history=["hash:Newest1"], verify=fake_verify)
    assert result.messages[0].fr == "Le mot de passe doit être différent de votre dernier mot de passe."


def test_checklist_ticks_items_as_one_types():
    policy = PasswordPolicy(min_length=8, max_length=None, min_upper=1, min_digit=1,
                            min_strength="Moyen", forbid_common=False,
                            forbid_identifier=False, forbid_names=False)
    ticks = {req.code: met for req, met in policy.checklist("Maison")}
    assert ticks == {"password.strength": False, "password.length_min": False,
                     "password.upper": True, "password.digit": False}
    assert all(met for _, met in policy.checklist("Maison12"))


def test_counts_above_one_use_plurals():
    policy = PasswordPolicy(min_length=10, min_digit=2, forbid_common=False)
    assert policy.requirements()[1].fr == "Au moins 2 chiffres"
    assert policy.check("Abcdefghij1").messages[0].fr == "Le mot de passe doit contenir au moins 2 chiffres."
    assert policy.check("Abcdefghi12").passing


def test_ascii_alphabet():
    policy = PasswordPolicy(min_length=4, alphabet="ascii", forbid_common=False)
    assert policy.check("abc-def").passing
    assert policy.check("abc-dé").codes == ["password.not_ascii"]


def test_control_characters_are_always_refused():
    policy = PasswordPolicy(min_length=4, forbid_common=False)
    assert policy.check("abcd\x00efg").codes == ["password.control_character"]
    assert policy.check("deux mots").passing


def test_common_list_is_shipped_and_large():
    listed = common_passwords()
    assert len(listed) >= 10_000
    assert {"123456", "password", "azerty", "motdepasse"} <= listed


def test_strength_uses_user_inputs():
    policy = PasswordPolicy()
    assert policy.strength("dupontjean", ["dupont", "jean"]).level <= policy.strength("dupontjean").level
    assert policy.strength("").level == 0


def test_describe_is_json_ready():
    import json

    described = PasswordPolicy(preset=None).describe()
    assert json.loads(json.dumps(described))["requirements"][0]["code"] == "password.length_range"
