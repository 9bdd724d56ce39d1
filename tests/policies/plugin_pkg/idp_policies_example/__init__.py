"""A tiny third-party policies plugin, for the entry-point test (not a test module).

It brings an identifier scheme (an 8-digit member number), a validator and a password
preset, and its own messages, as a real plugin (a second mairie, the MSA) would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policies import Message, Result
from policies.messages import register

register({
    "member_number.bad_format": (
        "Le numéro d'adhérent comporte {digits} chiffres.",
        "The member number has {digits} digits.",
    ),
    "even_number.odd": ("Le nombre doit être pair.", "The number must be even."),
})


@dataclass(frozen=True)
class MemberNumberScheme:
    digits: int = 8
    name: str = field(default="member_number", init=False)
    input_mode: str = field(default="numeric", init=False)
    autocomplete: str = field(default="username", init=False)

    @property
    def label(self):
        return {"fr": "Numéro d'adhérent", "en": "Member number"}

    def normalise(self, raw: str) -> str:
        return "".join(ch for ch in raw or "" if not ch.isspace())

    def check(self, raw: str) -> Result:
        value = self.normalise(raw)
        if not (value.isdigit() and len(value) == self.digits):
            return Result.fail(Message.of("member_number.bad_format", digits=self.digits))
        return Result.ok(value)

    def mask(self, value: str) -> str:
        return value[:2] + "*" * (len(value) - 2)


def even_number(raw: str, allow_zero: bool = True) -> Result:
    if not (raw or "").isdigit() or int(raw) % 2 or (int(raw) == 0 and not allow_zero):
        return Result.fail(Message.of("even_number.odd"))
    return Result.ok(int(raw))


STRICT = {"min_length": 16, "min_upper": 1, "min_digit": 1, "forbid_common": True, "throttled": False}
