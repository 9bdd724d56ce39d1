"""INSEE COG codes for the place of birth: commune (``75056``, ``2A004``, ``97411``) or
country (``99109`` = Germany).

Sources: french-identifiers.md §1 and §4; data in policies/data (INSEE COG, see
data/README.md). Decision: a commune code is checked structurally and looked up for its
name; the table only decides when ``known_only=True``, because people were born in communes
that have since merged, and the table has no COM communes.
"""

from __future__ import annotations

import re

from policies import cog
from policies.results import Message, Result

_COMMUNE = re.compile(r"^(?:(?:0[1-9]|[1-8][0-9]|9[0-5]|2A|2B)[0-9]{3}|(?:97[1-8]|98[4-9])[0-9]{2})$")


def _compact(raw: str) -> str:
    return re.sub(r"\s", "", raw or "").upper()


def _well_formed(code: str) -> bool:
    """The pattern, and never commune 000 (or 00 after a 3-digit overseas code)."""
    overseas = code[:2] in ("97", "98")
    return bool(_COMMUNE.match(code)) and not code.endswith("00" if overseas else "000")


def insee_commune(raw: str, known_only: bool = False) -> Result:
    """Check a COG commune code; ``value`` is the code (name: :func:`policies.cog.commune_name`)."""
    code = _compact(raw)
    if not code:
        return Result.fail(Message.of("required"))
    if not _well_formed(code):
        return Result.fail(Message.of("insee_commune.bad_format"))
    if known_only and cog.commune_name(code) is None:
        return Result.fail(Message.of("insee_commune.unknown"))
    return Result.ok(code)


def insee_country(raw: str, allow_france: bool = False) -> Result:
    """Check an INSEE country code ``99xxx``; 99100 (France) only if ``allow_france``."""
    code = _compact(raw)
    if not code:
        return Result.fail(Message.of("required"))
    if not re.fullmatch(r"99[0-9]{3}", code):
        return Result.fail(Message.of("insee_country.bad_format"))
    if cog.country_name(code) is None or (code == cog.FRANCE and not allow_france):
        return Result.fail(Message.of("insee_country.unknown"))
    return Result.ok(code)


def insee_birthplace(raw: str, known_only: bool = False) -> Result:
    """A place of birth: a commune code, or a ``99xxx`` country code for a birth abroad."""
    code = _compact(raw)
    if code.startswith("99"):
        return insee_country(code)
    return insee_commune(code, known_only=known_only)
