"""The individual rules a :class:`policies.passwords.PasswordPolicy` is made of.

Each rule yields checklist items (a :class:`Requirement` plus the failure codes that untick
it) and the failure messages for a candidate password. Character classes follow the seeds:
"Majuscule", "minuscule", "chiffre", "caractère spécial" (seed 001, 002, 004); a special
character is any printable character that is neither a letter nor a digit (space included),
which covers the CNIL 2022-100 list of at least 37 specials.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

from anyascii import anyascii

from policies.datafiles import read_lines
from policies.results import Message, Requirement
from policies.strength import LEVELS, estimate

Item = tuple[Requirement, frozenset[str]]


@dataclass(frozen=True)
class Context:
    """What the app knows besides the password (all optional)."""

    identifier: str | None = None
    names: Sequence[str] = ()
    history: Sequence[str] = ()
    verify: Callable[[str, str], bool] | None = None


def is_digit(char: str) -> bool:
    return unicodedata.category(char) == "Nd"


def is_special(char: str) -> bool:
    return char.isprintable() and not char.isalnum()


def is_latin_letter(char: str) -> bool:
    return char.isalpha() and unicodedata.name(char, "").startswith("LATIN")


def count_classes(password: str) -> dict[str, int]:
    """Count upper, lower, digit and special characters."""
    counts = {"upper": 0, "lower": 0, "digit": 0, "special": 0}
    for char in password:
        if char.isupper():
            counts["upper"] += 1
        elif char.islower():
            counts["lower"] += 1
        elif is_digit(char):
            counts["digit"] += 1
        elif is_special(char):
            counts["special"] += 1
    return counts


def length_items(min_length: int, max_length: int | None) -> list[Item]:
    codes = frozenset({"password.too_short", "password.too_long"})
    if max_length is None:
        return [(Requirement.of("password.length_min", min=min_length), codes)]
    return [(Requirement.of("password.length_range", min=min_length, max=max_length), codes)]


def length_failures(password: str, min_length: int, max_length: int) -> list[Message]:
    if len(password) < min_length:
        return [Message.of("password.too_short", min=min_length)]
    if len(password) > max_length:
        return [Message.of("password.too_long", max=max_length)]
    return []


CLASS_CODES = {  # class -> (requirement code, failure code)
    "upper": ("password.upper", "password.missing_upper"),
    "lower": ("password.lower", "password.missing_lower"),
    "digit": ("password.digit", "password.missing_digit"),
    "special": ("password.special", "password.missing_special"),
}


def class_items(minimums: dict[str, int]) -> list[Item]:
    return [
        (Requirement.of(CLASS_CODES[name][0], min=n), frozenset({CLASS_CODES[name][1]}))
        for name, n in minimums.items()
        if n > 0
    ]


def class_failures(password: str, minimums: dict[str, int]) -> list[Message]:
    counts = count_classes(password)
    return [
        Message.of(CLASS_CODES[name][1], min=n)
        for name, n in minimums.items()
        if n > 0 and counts[name] < n
    ]


ALPHABETS = ("any", "latin", "ascii", "ascii_letters_digits")


def alphabet_items(alphabet: str) -> list[Item]:
    if alphabet == "latin":
        return [(Requirement.of("password.latin_only"), frozenset({"password.not_latin"}))]
    if alphabet == "ascii":
        return [(Requirement.of("password.ascii_only"), frozenset({"password.not_ascii"}))]
    if alphabet == "ascii_letters_digits":  # seed 004: "sans caractères spéciaux ni lettres accentuées"
        return [
            (Requirement.of("password.no_special"), frozenset({"password.special_forbidden"})),
            (Requirement.of("password.no_accent"), frozenset({"password.accent_forbidden"})),
        ]
    return []


def _offending_codes(char: str, alphabet: str) -> str | None:
    if not (char.isprintable() or char == " "):
        return "password.control_character"
    if alphabet == "latin" and char.isalpha() and not is_latin_letter(char):
        return "password.not_latin"
    if alphabet == "ascii" and not (" " <= char <= "~"):
        return "password.not_ascii"
    if alphabet == "ascii_letters_digits" and not (char.isascii() and char.isalnum()):
        return "password.accent_forbidden" if is_latin_letter(char) else "password.special_forbidden"
    return None


def alphabet_failures(password: str, alphabet: str) -> list[Message]:
    codes = dict.fromkeys(c for c in (_offending_codes(ch, alphabet) for ch in password) if c)
    return [Message.of(code) for code in codes]


def strength_items(min_level: int) -> list[Item]:
    fr, en = LEVELS[min_level]
    return [(Requirement.of("password.strength", label=fr, label_en=en), frozenset({"password.too_weak"}))]


def strength_failures(password: str, min_level: int, user_inputs: Sequence[str]) -> list[Message]:
    if estimate(password, user_inputs).level >= min_level:
        return []
    fr, en = LEVELS[min_level]
    return [Message.of("password.too_weak", label=fr, label_en=en)]


def _folded(text: str) -> str:
    return anyascii(unicodedata.normalize("NFKC", text)).casefold()


def identifier_failures(password: str, identifier: str | None) -> list[Message]:
    if not identifier or len(identifier) < 3:
        return []
    if _folded(identifier) in _folded(password):
        return [Message.of("password.contains_identifier")]
    return []


def name_parts(names: Sequence[str]) -> set[str]:
    """Name parts worth checking: 3 letters or more (so "Lê" or "de" do not count)."""
    parts: set[str] = set()
    for name in names:
        for part in "".join(c if c.isalnum() else " " for c in _folded(name or "")).split():
            if len(part) >= 3:
                parts.add(part)
    return parts


def name_failures(password: str, names: Sequence[str]) -> list[Message]:
    folded = _folded(password)
    if any(part in folded for part in name_parts(names)):
        return [Message.of("password.contains_name")]
    return []


def history_failures(password: str, ctx: Context, size: int) -> list[Message]:
    if not ctx.history or size <= 0:
        return []
    if ctx.verify is None:
        raise ValueError("a password history needs verify(hash, password)")
    if any(ctx.verify(old, password) for old in list(ctx.history)[:size]):
        return [Message.of("password.reused", count=size)]
    return []


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list (policies/data/common-passwords.txt, from zxcvbn; see data/README.md)."""
    return frozenset(read_lines("common-passwords.txt"))


def _core(password: str) -> str:
    """The password without the digits and symbols around it ("Password123!" -> "password")."""
    start, end = 0, len(password)
    while start < end and not password[start].isalpha():
        start += 1
    while end > start and not password[end - 1].isalpha():
        end -= 1
    return password[start:end].casefold()


def common_failures(password: str) -> list[Message]:
    """Refuse a listed password, also when merely decorated with digits or symbols."""
    listed = common_passwords()
    core = _core(password)
    if password.casefold() in listed or (len(core) >= 4 and core in listed):
        return [Message.of("password.common")]
    return []
