"""French postal codes, including the overseas and abroad codes of seed 002.

Sources: french-identifiers.md §4 and seed 002 ("Si je réside à l'étranger ou dans une
collectivité d'outre-mer (COM), j'indique le code postal de la COM - code en 98 - ou le
code postal du pays - code en 99"). Five digits; Corsica ``20xxx``; DROM 971-974 and 976;
Saint-Pierre-et-Miquelon 97500; Saint-Barthélemy 97133 and Saint-Martin 97150 (in the
Guadeloupe range); Monaco 980xx; Wallis-et-Futuna 986xx, Polynésie 987xx,
Nouvelle-Calédonie 988xx; ``99xxx`` is the INSEE code of the country of residence. A postal
code is not a département: the table (``known_only=True``) is the only exact check.
"""

from __future__ import annotations

import re

from policies import cog
from policies.results import Message, Result

_DROM = ("971", "972", "973", "974", "976")
_COM = ("980", "986", "987", "988")  # 980 = Monaco, which uses the French postal system
_NOT_IN_TABLE = ("97133", "97150", "97500")  # Saint-Barthélemy, Saint-Martin, SPM (COM)


def _structurally_possible(code: str) -> bool:
    head2, head3 = code[:2], code[:3]
    if head2 == "97":
        return head3 in _DROM or code == "97500"
    if head2 == "98":
        return head3 in _COM
    return "01" <= head2 <= "95"


def postal_code(raw: str, known_only: bool = False, abroad: bool = True) -> Result:
    """Check a postal code; ``value`` is the 5-digit code.

    ``known_only`` also requires metropolitan and DROM codes to be in the shipped table
    (CEDEX codes are not); ``abroad=False`` refuses the ``99xxx`` country codes.
    """
    code = re.sub(r"\s", "", raw or "")
    if not code:
        return Result.fail(Message.of("required"))
    if not re.fullmatch(r"[0-9]{5}", code):
        return Result.fail(Message.of("postal_code.bad_format"))
    if code.startswith("99"):
        if abroad and code != cog.FRANCE and cog.country_name(code):
            return Result.ok(code)
        return Result.fail(Message.of("postal_code.unknown_country"))
    if not _structurally_possible(code):
        return Result.fail(Message.of("postal_code.unknown"))
    checked_in_table = known_only and code[:3] not in _COM and code not in _NOT_IN_TABLE
    if checked_in_table and code not in cog.postal_codes():
        return Result.fail(Message.of("postal_code.unknown"))
    return Result.ok(code)
