"""Identifier scheme ``email``: syntax by email-validator, no DNS look-up by default.

Decision: the whole address is lower-cased after email-validator's own normalisation (NFC,
lower-case domain, IDNA), so that ``Jean.Dupont@Exemple.fr`` and ``jean.dupont@exemple.fr``
are one account; ameli requires one address per family member (seed 002), which the app
enforces with this normalised form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from email_validator import EmailNotValidError, EmailUndeliverableError, validate_email

from policies.results import Message, Result


@dataclass(frozen=True)
class EmailScheme:
    """Email addresses as identifiers."""

    check_deliverability: bool = False
    name: str = field(default="email", init=False)
    input_mode: str = field(default="email", init=False)
    autocomplete: str = field(default="email", init=False)

    @property
    def label(self) -> Mapping[str, str]:
        return MappingProxyType({"fr": "Adresse e-mail", "en": "Email address"})

    def normalise(self, raw: str) -> str:
        return (raw or "").strip().lower()

    def check(self, raw: str) -> Result:
        value = (raw or "").strip()
        if not value:
            return Result.fail(Message.of("required"))
        try:
            found = validate_email(value, check_deliverability=self.check_deliverability)
        except EmailUndeliverableError:
            return Result.fail(Message.of("email.undeliverable"))
        except EmailNotValidError as error:
            return Result.fail(Message.of("email.invalid", detail=str(error).rstrip(".")))
        return Result.ok(found.normalized.lower())

    def mask(self, value: str) -> str:
        """``j***@exemple.fr``."""
        local, _, domain = self.normalise(value).partition("@")
        return f"{local[:1]}***@{domain}" if domain else "***"

    def parameters(self) -> dict[str, Any]:
        return {"check_deliverability": self.check_deliverability}
