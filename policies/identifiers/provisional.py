"""Identifier scheme ``provisional``: the tenant's own identifier for people without a NIR.

No public source documents the CAF's "identifiant provisoire" (french-identifiers.md §2), so
this format is a decision, documented in :mod:`policies`:

    PREFIX + 10 digits + 2-digit key, e.g. ``P0123456789`` + key 58 = ``P012345678958``

- the prefix (default ``P``, one to three letters, set per tenant) can never start a NIR,
  so one login field can take both;
- with the default prefix the identifier has 13 characters, like the NIR body typed at the
  CAF and ameli logins ("Numéro de Sécurité sociale (13 caractères)");
- the key is the NIR's: ``97 - (digits mod 97)``, written on 2 digits (01..97), which catches
  every single-digit error and every swap of two adjacent digits.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from policies.identifiers.base import compact
from policies.results import Message, Result

DIGITS = 10


def provisional_key(digits: str) -> str:
    return f"{97 - int(digits) % 97:02d}"


@dataclass(frozen=True)
class ProvisionalScheme:
    """Provisional identifiers ``P`` + 10 digits + 2-digit key."""

    prefix: str = "P"
    input_mode: str = "text"
    name: str = field(default="provisional", init=False)
    autocomplete: str = field(default="username", init=False)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z]{1,3}", self.prefix or ""):
            raise ValueError("prefix must be one to three letters")
        object.__setattr__(self, "prefix", self.prefix.upper())

    @property
    def label(self) -> Mapping[str, str]:
        return MappingProxyType({"fr": "Identifiant provisoire", "en": "Provisional identifier"})

    @property
    def hint(self) -> Mapping[str, str]:
        return MappingProxyType({
            "fr": f"La lettre {self.prefix} suivie de {DIGITS + 2} chiffres, reçue à la création de votre compte",
            "en": f"The letter {self.prefix} followed by {DIGITS + 2} digits, given when your account was created",
        })

    def normalise(self, raw: str) -> str:
        return compact(raw)

    def check(self, raw: str) -> Result:
        value = self.normalise(raw)
        if not value:
            return Result.fail(Message.of("required"))
        match = re.fullmatch(re.escape(self.prefix) + r"([0-9]{%d})([0-9]{2})" % DIGITS, value)
        if not match:
            return Result.fail(Message.of("provisional.bad_format", prefix=self.prefix, digits=DIGITS + 2))
        if provisional_key(match.group(1)) != match.group(2):
            return Result.fail(Message.of("provisional.bad_key"))
        return Result.ok(value)

    def generate(self) -> str:
        """A new random identifier (the app checks it is not already taken)."""
        digits = f"{secrets.randbelow(10 ** DIGITS):0{DIGITS}d}"
        return self.prefix + digits + provisional_key(digits)

    def mask(self, value: str) -> str:
        """``P 01*** ***** **``: the prefix and first two digits only."""
        value = self.normalise(value)
        if len(value) != len(self.prefix) + DIGITS + 2:
            return "*" * len(value)
        return f"{self.prefix} {value[len(self.prefix):][:2]}*** ***** **"

    def parameters(self) -> dict[str, Any]:
        return {"prefix": self.prefix}
