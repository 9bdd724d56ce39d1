"""Identifier schemes ``nir`` (15 characters, with key) and ``nir13`` (13-character body).

Sources: french-identifiers.md §1-2. stdnum computes the key; :mod:`nir_structure` adds the
structural checks stdnum lacks. CAF and ameli logins type the 13-character body ("Je saisis
les 13 premiers chiffres de mon numéro de sécurité sociale", seed 003); ``nir13`` also
accepts the full 15 characters, checks the key and keeps the body. Final numbers start
1/2, provisional ones (NIA) 7/8: each tenant accepts either or both.

Decision: ``input_mode`` defaults to "numeric" as the issue asks; it is only a hint (a
Corsican NIR holds 2A/2B), so a tenant may set ``input_mode = "text"``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from policies.identifiers.base import compact
from policies.identifiers.nir_structure import BODY, NirParts, calc_key, structure_failures
from policies.identifiers.provisional import ProvisionalScheme
from policies.results import Message, Result


@dataclass(frozen=True)
class NirScheme:
    """The full NIR, 15 characters with its key."""

    accept_final: bool = True
    accept_provisional: bool = False
    corsica_from_1976: bool = True
    provisional_id_prefix: str | None = None  # also accept the tenant's provisional identifier
    input_mode: str = "numeric"
    name: str = field(default="nir", init=False)
    length: int = field(default=15, init=False)
    autocomplete: str = field(default="username", init=False)

    @property
    def label(self) -> Mapping[str, str]:
        return MappingProxyType({"fr": "Numéro de sécurité sociale", "en": "Social security number"})

    @property
    def hint(self) -> Mapping[str, str]:
        return MappingProxyType({
            "fr": "Les 15 chiffres inscrits sur votre carte Vitale ou votre attestation de droits",
            "en": "The 15 digits shown on your carte Vitale or your health insurance certificate",
        })

    def normalise(self, raw: str) -> str:
        return compact(raw)

    def check(self, raw: str) -> Result:
        value = self.normalise(raw)
        if not value:
            return Result.fail(Message.of("required"))
        if self._provisional_id(value):
            return self._provisional_id(value).check(value)
        if len(value) not in self._accepted_lengths():
            return Result.fail(Message.of("nir.bad_length", expected=self.length, length=len(value)))
        body, key = value[:13], value[13:]
        if not BODY.match(body) or not (key.isdigit() or key == ""):
            return Result.fail(Message.of("nir.bad_characters"))
        found = self._structure(body)
        if key and key != calc_key(body):
            found.append(Message.of("nir.bad_key"))
        return Result.from_messages(found, value[: self.length])

    def _accepted_lengths(self) -> tuple[int, ...]:
        return (15,)

    def _structure(self, body: str) -> list[Message]:
        found = structure_failures(body, datetime.date.today())
        if not self.corsica_from_1976:
            found = [m for m in found if not m.code.startswith("nir.corsica")]
        return found + self._type_failures(NirParts.split(body))

    def _type_failures(self, parts: NirParts) -> list[Message]:
        if parts.provisional and not self.accept_provisional:
            return [Message.of("nir.provisional_refused")]
        if parts.type_digit in "12" and not self.accept_final:
            return [Message.of("nir.final_refused")]
        return []

    def _provisional_id(self, value: str) -> ProvisionalScheme | None:
        prefix = self.provisional_id_prefix
        if prefix and value.startswith(prefix.upper()):
            return ProvisionalScheme(prefix=prefix)
        return None

    def mask(self, value: str) -> str:
        """``1 84 12 ** *** *** **``: sex, year and month only."""
        value = self.normalise(value)
        if len(value) not in (13, 15):
            return "*" * len(value)
        hidden = "** *** ***" + (" **" if len(value) == 15 else "")
        return f"{value[0]} {value[1:3]} {value[3:5]} {hidden}"

    def decode(self, value: str) -> NirParts | None:
        """The fields of a valid NIR, or None."""
        result = self.check(value)
        return NirParts.split(result.value[:13]) if result.passing and result.value[:1].isdigit() else None

    def parameters(self) -> dict[str, Any]:
        return {"accept_final": self.accept_final, "accept_provisional": self.accept_provisional,
                "corsica_from_1976": self.corsica_from_1976,
                "provisional_id_prefix": self.provisional_id_prefix}


@dataclass(frozen=True)
class Nir13Scheme(NirScheme):
    """The 13-character body (no key), as CAF and ameli logins ask for it."""

    name: str = field(default="nir13", init=False)
    length: int = field(default=13, init=False)

    @property
    def label(self) -> Mapping[str, str]:
        return MappingProxyType({
            "fr": "Numéro de sécurité sociale (13 caractères)",
            "en": "Social security number (13 characters)",
        })

    @property
    def hint(self) -> Mapping[str, str]:
        return MappingProxyType({
            "fr": "Les 13 premiers chiffres de votre numéro de sécurité sociale, sans la clé",
            "en": "The first 13 digits of your social security number, without the key",
        })

    def _accepted_lengths(self) -> tuple[int, ...]:
        return (13, 15)
