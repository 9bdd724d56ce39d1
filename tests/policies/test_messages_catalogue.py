"""Every message exists in French and English, with its parameters substituted."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from policies import Message, Result, password_policy
from policies.messages import CATALOGUE, Plural, render

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _templates(entry) -> list[str]:
    if isinstance(entry, Plural):
        return [entry.fr_one, entry.fr_many, entry.en_one, entry.en_many]
    return list(entry)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_entry_has_both_languages_and_the_same_parameters(code):
    templates = _templates(CATALOGUE[code])
    assert all(t.strip() for t in templates)
    fr, en = templates[0], templates[-1]
    assert fr != en
    params = {name: 3 for t in templates for name in _fields(t)}
    rendered_fr, rendered_en = render(code, params)
    assert "{" not in rendered_fr and "{" not in rendered_en


def test_every_code_used_in_the_package_is_in_the_catalogue():
    used = set()
    for path in POLICIES.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:Message|Requirement)\.of\(\s*"([a-z0-9_.]+)"', text))
    assert len(used) > 50
    assert not used - set(CATALOGUE)


def test_french_typography():
    for code, entry in CATALOGUE.items():
        french = [entry.fr_one, entry.fr_many] if isinstance(entry, Plural) else [entry[0]]
        for text in french:
            assert not re.search(r"\w[:;!?]", text), f"{code}: French puts a space before : ; ! ?"
            assert '"' not in text, f"{code}: French quotes are « »"


def test_plural_forms():
    assert Message.of("password.too_short", min=1).fr == "Le mot de passe doit contenir au moins 1 caractère."
    assert Message.of("password.too_short", min=10).fr == "Le mot de passe doit contenir au moins 10 caractères."
    assert Message.of("password.too_short", min=10).en == "The password must be at least 10 characters long."
    assert Message.of("password.missing_special", min=2).fr.startswith(
        "Le mot de passe doit contenir au moins 2 caractères spéciaux")


def test_result_helpers():
    result = password_policy("caf").check("abc")
    assert not result and result.codes == ["password.too_short", "password.missing_upper", "password.missing_digit"]
    assert result.messages[0].params == {"min": 10}
    assert result.messages[0].text("en").startswith("The password")
    assert result.texts()[0] == "Le mot de passe doit contenir au moins 10 caractères."
    assert Result.ok("x").as_dict() == {"passing": True, "codes": [], "messages": [], "value": "x"}


def test_unknown_code_is_a_bug():
    with pytest.raises(KeyError):
        Message.of("password.no_such_code")
