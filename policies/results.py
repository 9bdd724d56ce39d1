"""Results of policy checks: passing or not, with coded bilingual messages.

Modelled on authentik's ``PolicyResult(passing, *messages)``: an ordinary "no" is a value,
never an exception. Each :class:`Message` carries a stable ``code`` (for programs and tests),
its ``params`` and the text in French and English, built from the catalogue in
:mod:`policies.messages`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Self

from policies.messages import render


def _frozen(params: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(params or {}))


@dataclass(frozen=True)
class CodedText:
    """A coded text in French and English: its stable ``code``, its ``params`` and the text
    built from the catalogue. The shape of both :class:`Message` and :class:`Requirement`."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    fr: str = ""
    en: str = ""

    @classmethod
    def of(cls, code: str, **params: Any) -> Self:
        """Build one from the catalogue, substituting ``params`` in both languages."""
        fr, en = render(code, params)
        return cls(code=code, params=_frozen(params), fr=fr, en=en)

    def text(self, locale: str = "fr") -> str:
        """The text in ``locale`` ("fr" or "en"; anything else falls back to French)."""
        return self.en if locale.lower().startswith("en") else self.fr

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params), "fr": self.fr, "en": self.en}


class Message(CodedText):
    """One coded message, e.g. ``password.too_short`` with ``{"min": 10}``."""


class Requirement(CodedText):
    """One line of a live checklist (seed 001: "8 caractères", "1 Majuscule"...)."""


@dataclass(frozen=True)
class Result:
    """The outcome of a check. ``value`` holds the normalised input when it passes."""

    passing: bool
    messages: tuple[Message, ...] = ()
    value: Any = None

    @classmethod
    def ok(cls, value: Any = None, *messages: Message) -> "Result":
        return cls(True, tuple(messages), value)

    @classmethod
    def fail(cls, *messages: Message, value: Any = None) -> "Result":
        return cls(False, tuple(messages), value)

    @classmethod
    def from_messages(cls, messages: list[Message] | tuple[Message, ...], value: Any = None) -> "Result":
        """Passing when ``messages`` is empty; ``value`` is kept only when passing."""
        if messages:
            return cls(False, tuple(messages))
        return cls(True, (), value)

    @property
    def codes(self) -> list[str]:
        return [m.code for m in self.messages]

    def texts(self, locale: str = "fr") -> list[str]:
        return [m.text(locale) for m in self.messages]

    def __bool__(self) -> bool:
        return self.passing

    def as_dict(self) -> dict[str, Any]:
        return {
            "passing": self.passing,
            "codes": self.codes,
            "messages": [m.as_dict() for m in self.messages],
            "value": self.value if isinstance(self.value, (str, int, type(None))) else str(self.value),
        }

