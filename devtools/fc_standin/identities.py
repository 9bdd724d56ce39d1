"""Demo identities and the claims FranceConnect v2 (fcp-low) releases for each scope.

Formats follow FC's scope table and identity DTO (design note §5): ``given_name`` holds
all first names separated by spaces, ``family_name`` the birth name, ``preferred_username``
the nom d'usage (may be ""), ``birthplace`` a COG commune code or "" when born abroad,
``birthcountry`` a COG country code (``99100`` is France). ``sub`` is pairwise (§4).
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

DEFAULT_CSV = Path(__file__).with_name("identities.csv")

FRANCE = "99100"
PIVOT_FIELDS = ("given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry")
REQUIRED_FIELDS = ("given_name", "family_name", "birthdate", "gender", "birthcountry", "email")

# FC's "secret" in the pairwise hash; a constant so subs stay stable across restarts.
PAIRWISE_SECRET = "fc-standin-pairwise"

SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "given_name": ("given_name", "given_name_array"),
    "family_name": ("family_name",),
    "birthdate": ("birthdate",),
    "gender": ("gender",),
    "birthplace": ("birthplace",),
    "birthcountry": ("birthcountry",),
    "email": ("email",),
    "preferred_username": ("preferred_username",),
    "profile": ("given_name", "given_name_array", "family_name", "birthdate", "gender", "preferred_username"),
    "birth": ("birthplace", "birthcountry"),
    "identite_pivot": ("given_name", "given_name_array", "family_name", "birthdate", "gender",
                       "birthplace", "birthcountry"),
}
SUPPORTED_SCOPES = tuple(SCOPE_CLAIMS)

_BIRTHDATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COG_COMMUNE = re.compile(r"^(?:2[AB]|[0-9]{2})[0-9]{3}$")
_COG_COUNTRY = re.compile(r"^99[0-9]{3}$")


def load_identities(path: str | Path = DEFAULT_CSV) -> list[dict]:
    """Read a CSV of identities (header row with the FC claim names, plus ``login``)."""
    with open(path, newline="", encoding="utf-8") as f:
        return normalise_identities(list(csv.DictReader(f)))


def normalise_identities(rows: list[dict]) -> list[dict]:
    """Check each identity and fill the optional fields; a ``login`` defaults to its position."""
    identities = [_normalise(dict(row), position) for position, row in enumerate(rows)]
    logins = [identity["login"] for identity in identities]
    if len(set(logins)) != len(logins):
        raise ValueError("demo identities: each login must be unique")
    return identities


def _normalise(identity: dict, position: int) -> dict:
    missing = [name for name in REQUIRED_FIELDS if not identity.get(name)]
    if missing:
        raise ValueError(f"demo identity #{position}: missing {', '.join(missing)}")
    identity.setdefault("login", str(position))
    identity["birthplace"] = identity.get("birthplace") or ""
    identity["preferred_username"] = identity.get("preferred_username") or ""
    problem = _format_problem(identity)
    if problem:
        raise ValueError(f"demo identity {identity['login']!r}: {problem}")
    return identity


def _format_problem(identity: dict) -> str | None:
    if not _BIRTHDATE.match(identity["birthdate"]):
        return "birthdate must be YYYY-MM-DD"
    if identity["gender"] not in ("male", "female"):
        return "gender must be male or female"
    if not _COG_COUNTRY.match(identity["birthcountry"]):
        return "birthcountry must be a COG country code (99xxx)"
    born_in_france = identity["birthcountry"] == FRANCE
    if born_in_france and not _COG_COMMUNE.match(identity["birthplace"]):
        return "birthplace must be a COG commune code when born in France"
    if not born_in_france and identity["birthplace"]:
        return "birthplace must be empty when born abroad"
    return None


def display_name(identity: dict) -> str:
    """``Prénom Nom`` for the chooser page: first given name, then usage or birth name."""
    first = identity["given_name"].split()[0]
    return f"{first} {identity['preferred_username'] or identity['family_name']}"


def pairwise_sub(client_id: str, identity: dict) -> str:
    """FC's pairwise ``sub``: sha256 hex of (client + identity hash + secret), then ``v1``.

    The identity hash covers the pivot fields, birthplace only when born in France (§4).
    """
    birthplace = identity["birthplace"] if identity["birthcountry"] == FRANCE else ""
    pivot = "".join(identity[name] for name in PIVOT_FIELDS[:4]) + birthplace + identity["birthcountry"]
    identity_hash = hashlib.sha256(pivot.encode()).hexdigest()
    return hashlib.sha256(f"{client_id}{identity_hash}{PAIRWISE_SECRET}".encode()).hexdigest() + "v1"


def granted_scopes(requested: str) -> list[str]:
    """The requested scopes FC knows, in request order; unknown ones are dropped."""
    return [scope for scope in dict.fromkeys(requested.split()) if scope in SCOPE_CLAIMS]


def scope_claims(identity: dict, scopes: list[str]) -> dict:
    """The userinfo claims (besides ``sub``) that the granted scopes release, in FC formats."""
    names = {name for scope in scopes for name in SCOPE_CLAIMS[scope]} - {"sub"}
    values = {
        "given_name": identity["given_name"],
        "given_name_array": identity["given_name"].split(),
        "family_name": identity["family_name"],
        "birthdate": identity["birthdate"],
        "gender": identity["gender"],
        "birthplace": identity["birthplace"],
        "birthcountry": identity["birthcountry"],
        "email": identity["email"],
        "preferred_username": identity["preferred_username"],
    }
    return {name: value for name, value in values.items() if name in names}
