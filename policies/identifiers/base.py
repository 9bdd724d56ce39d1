"""The contract every identifier scheme meets, and the cleaning they share.

A scheme says how the login field is labelled and which keyboard it needs (HTML
``inputmode`` and ``autocomplete``), normalises and validates what was typed (returning a
:class:`policies.results.Result` whose ``value`` is the normalised form), and masks a value
for logs (style.md: "never a full NIR" in a log line).
"""

from __future__ import annotations

import re
from typing import Mapping, Protocol, runtime_checkable

from policies.results import Result

_SEPARATORS = re.compile(r"[\s.\-_/]+")


def compact(raw: str | None) -> str:
    """Drop spaces (any Unicode space), dots, dashes, underscores and slashes; upper-case."""
    return _SEPARATORS.sub("", raw or "").upper()


@runtime_checkable
class IdentifierScheme(Protocol):
    """What the core needs from a login identifier scheme."""

    name: str
    label: Mapping[str, str]
    input_mode: str
    autocomplete: str

    def normalise(self, raw: str) -> str: ...

    def check(self, raw: str) -> Result: ...

    def mask(self, value: str) -> str: ...


def describe(scheme: IdentifierScheme) -> dict[str, object]:
    """A JSON-ready description of a scheme (for ``idp policies describe``)."""
    described: dict[str, object] = {
        "name": scheme.name,
        "label": dict(scheme.label),
        "input_mode": scheme.input_mode,
        "autocomplete": scheme.autocomplete,
    }
    hint = getattr(scheme, "hint", None)
    if hint:
        described["hint"] = dict(hint)
    parameters = getattr(scheme, "parameters", None)
    if callable(parameters):
        described["parameters"] = parameters()
    return described
