"""Identifier scheme ``username``: ``prénom.nom`` suggestions and collision suffixes.

Source: french-identifiers.md §8 and seed 001 ("Un identifiant vous a été attribué par
défaut (prénom.nom), vous pouvez le modifier"). Rule: NFKC then anyascii (ISC licence),
lower case; both apostrophes (' and ’) are deleted (N’Diaye -> ndiaye, D'Artagnan ->
dartagnan); spaces become hyphens, hyphens are kept, repeats collapse; first given name only;
particles kept (de-la-fontaine); the two parts joined by a dot; length capped; on collision
``jean.dupont2``, ``jean.dupont3``... The availability check is the app's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from anyascii import anyascii

from policies.results import Message, Result

_ALLOWED = re.compile(r"^[a-z0-9._-]+$")
_SEPARATOR_RUN = re.compile(r"(^[._-])|([._-]$)|([._-]{2,})")


def slug(text: str) -> str:
    """``"Lætitia "`` -> ``laetitia``; ``"de La Fontaine"`` -> ``de-la-fontaine``."""
    text = anyascii(unicodedata.normalize("NFKC", text or "")).lower()
    text = re.sub(r"['`´ʼ’]", "", text)  # anyascii already turns ’ into '
    text = re.sub(r"[^a-z0-9-]+", "-", text)  # spaces and anything else: one hyphen
    return re.sub(r"-{2,}", "-", text).strip("-")


def first_given_name(given_names: str) -> str:
    """The first given name: "Jean Pierre, Marie" -> "Jean"; "Jean-Pierre" stays whole."""
    parts = re.split(r"[\s,]+", (given_names or "").strip())
    return parts[0] if parts else ""


@dataclass(frozen=True)
class UsernameScheme:
    """Free usernames, lower-case ASCII, with ``prénom.nom`` suggestions."""

    min_length: int = 3
    max_length: int = 64
    name: str = field(default="username", init=False)
    input_mode: str = field(default="text", init=False)
    autocomplete: str = field(default="username", init=False)

    def __post_init__(self) -> None:
        if not 1 <= self.min_length <= self.max_length:
            raise ValueError("need 1 <= min_length <= max_length")

    @property
    def label(self) -> Mapping[str, str]:
        return MappingProxyType({"fr": "Identifiant", "en": "Username"})

    @property
    def hint(self) -> Mapping[str, str]:
        return MappingProxyType({
            "fr": "Par défaut prénom.nom ; lettres sans accent, chiffres, points et tirets",
            "en": "By default firstname.lastname; unaccented letters, digits, dots and hyphens",
        })

    def normalise(self, raw: str) -> str:
        return unicodedata.normalize("NFKC", raw or "").strip().lower()

    def check(self, raw: str) -> Result:
        value = self.normalise(raw)
        if not value:
            return Result.fail(Message.of("required"))
        return Result.from_messages(self._failures(value), value)

    def _failures(self, value: str) -> list[Message]:
        if len(value) < self.min_length:
            return [Message.of("username.too_short", min=self.min_length)]
        if len(value) > self.max_length:
            return [Message.of("username.too_long", max=self.max_length)]
        if not _ALLOWED.match(value):
            return [Message.of("username.bad_characters")]
        found = []
        if _SEPARATOR_RUN.search(value):
            found.append(Message.of("username.bad_separators"))
        if not re.search(r"[a-z]", value):  # never a bare number such as a NIR
            found.append(Message.of("username.needs_letter"))
        return found

    def suggest(self, given_name: str, family_name: str) -> str:
        """``Jean Pierre``, ``de La Fontaine`` -> ``jean.de-la-fontaine`` (capped)."""
        first, last = slug(first_given_name(given_name)), slug(family_name)
        base = ".".join(part for part in (first, last) if part) or "utilisateur"
        return self._fit(base, suffix="")

    def candidates(self, given_name: str, family_name: str, limit: int = 10) -> list[str]:
        """``["jean.dupont", "jean.dupont2", "jean.dupont3", ...]``, ``limit`` of them."""
        base = self.suggest(given_name, family_name)
        return [base] + [self._fit(base, str(n)) for n in range(2, limit + 1)]

    def _fit(self, base: str, suffix: str) -> str:
        """Cut ``base`` so that ``base + suffix`` fits, without a trailing separator."""
        room = self.max_length - len(suffix)
        cut = base[:room].rstrip(".-_")
        candidate = cut + suffix
        if len(candidate) < self.min_length:
            candidate = (candidate + "0" * self.min_length)[: self.min_length]
        return candidate

    def mask(self, value: str) -> str:
        """Usernames are not secret but may carry a name: keep the first 3 characters."""
        value = self.normalise(value)
        return value[:3] + "*" * max(len(value) - 3, 0)

    def parameters(self) -> dict[str, Any]:
        return {"min_length": self.min_length, "max_length": self.max_length}
