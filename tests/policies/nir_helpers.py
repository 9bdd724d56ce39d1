"""Independent NIR key computation for the tests (french-identifiers.md §1)."""

from __future__ import annotations


def key(body: str) -> str:
    """``97 - (N mod 97)`` with 2A -> 19 and 2B -> 18, written on 2 digits."""
    number = int(body.replace("2A", "19").replace("2B", "18"))
    return f"{97 - number % 97:02d}"


def full(body: str) -> str:
    return body + key(body)
