"""Access to the files of ``policies/data/`` (sources and licences in data/README.md)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_lines(name: str) -> list[str]:
    """Non-empty stripped lines of a text data file."""
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def read_rows(name: str) -> Iterator[dict[str, str]]:
    """Rows of a CSV data file, as dicts keyed by its header."""
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)
