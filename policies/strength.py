"""Password strength levels, as shown by the seed 001 meter ("Faible", "Moyen", "Fort").

The estimator is zxcvbn (Dropbox's algorithm, Python port ``zxcvbn`` on PyPI): its score
0..4 is the level. Names follow the meter of seed 001, which shows "Moyen" and recommends
"Fort"; the two extremes are named in the same style.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from zxcvbn import zxcvbn

LEVELS: tuple[tuple[str, str], ...] = (
    ("Très faible", "Very weak"),
    ("Faible", "Weak"),
    ("Moyen", "Medium"),
    ("Fort", "Strong"),
    ("Très fort", "Very strong"),
)

# zxcvbn's cost grows with length; nothing past this prefix changes the score in practice.
_MAX_ESTIMATED = 72


@dataclass(frozen=True)
class Strength:
    """A strength estimate: ``level`` 0..4 and its French/English ``label``."""

    level: int
    guesses_log10: float = 0.0

    @property
    def label(self) -> str:
        return LEVELS[self.level][0]

    @property
    def label_en(self) -> str:
        return LEVELS[self.level][1]


def level_number(level: int | str) -> int:
    """Turn ``"Moyen"`` / ``"medium"`` / ``2`` into 2; raise ``ValueError`` otherwise."""
    if isinstance(level, bool):
        raise ValueError(f"unknown strength level {level!r}")
    if isinstance(level, int):
        if 0 <= level < len(LEVELS):
            return level
        raise ValueError(f"strength level must be 0..{len(LEVELS) - 1}, got {level}")
    wanted = str(level).strip().casefold()
    for number, names in enumerate(LEVELS):
        if wanted in (n.casefold() for n in names):
            return number
    known = ", ".join(f'"{fr}"' for fr, _ in LEVELS)
    raise ValueError(f"unknown strength level {level!r} (expected one of {known})")


def estimate(password: str, user_inputs: Iterable[str] = ()) -> Strength:
    """Estimate ``password``; ``user_inputs`` (names, identifier) count as known words."""
    if not password:
        return Strength(0, 0.0)
    inputs = [str(i) for i in user_inputs if i]
    found = zxcvbn(password[:_MAX_ESTIMATED], user_inputs=inputs)
    return Strength(int(found["score"]), float(found["guesses_log10"]))
