"""Whether a NIR is the person's whom FranceConnect identified: compared with the identité
pivot FranceConnect gave from the civil registry and, where the tenant has one (ameli), with
the insurer's reference directory.

:func:`mismatch` is the one comparison, used both for a NIR typed after FranceConnect and for
the NIR of a local account the pivot might be linked to (:mod:`.linking`): the NIR's sex,
year and month of birth, and its place of birth read as FranceConnect writes it
(:mod:`policies.identifiers.nir_birth`: the commune, or the country when born abroad,
overseas and former territories included) must all agree with the pivot.
"""

from __future__ import annotations

import re

from anyascii import anyascii
from flask import g
from flask_babel import lazy_gettext as _l

from policies.cog import FRANCE
from policies.identifiers.nir_birth import of_nir, same_commune
from policies.identifiers.nir_structure import NirParts

from idp.security.audit import audit
from idp.signup.directory import DirectoryUnavailable, match_identity
from idp.signup.directory_steps import directory

SEX = {"1": "male", "7": "male", "2": "female", "8": "female"}
MESSAGES = {
    "sex": _l("Ce numéro ne correspond pas au sexe transmis par FranceConnect."),
    "year": _l("Ce numéro ne correspond pas à votre année de naissance."),
    "month": _l("Ce numéro ne correspond pas à votre mois de naissance."),
    "place": _l("Ce numéro ne correspond pas à votre lieu de naissance."),
}
PROVISIONAL = _l("Saisissez votre numéro de sécurité sociale définitif (il commence par 1 ou 2).")


def normalise_name(value: str | None) -> str:
    """Case, accents, hyphens and apostrophes do not tell two people apart."""
    text = anyascii(value or "").casefold()
    return " ".join(re.sub(r"[^a-z]+", " ", text).split())


def _first_names(text: str) -> list[list[str]]:
    """``"Jean-Noël, Théo"`` → ``[["jean", "noel"], ["theo"]]``: each first name, and the
    parts a hyphen (or a space a registry put in its place) joins into a compound one."""
    return [parts for parts in (normalise_name(name).split() for name in (text or "").replace(",", " ").split())
            if parts]


def given_names_agree(local: str, upstream: str) -> bool:
    """The account's first names are FranceConnect's, or its first ones (an account often
    holds only the usual first name, FranceConnect always gives them all).

    Hyphens and spaces between the parts of a compound first name are not told apart
    ("Jean Noël" is "Jean-Noël"), since registries and forms write them either way; but the
    account's names must end where one of FranceConnect's ends: "Jean" is not the first
    name of "Jean-Noël Théo", whose first first name is "Jean-Noël"."""
    local_names, upstream_names = _first_names(local), _first_names(upstream)
    local_parts = [part for name in local_names for part in name]
    upstream_parts = [part for name in upstream_names for part in name]
    if not local_parts or local_parts != upstream_parts[:len(local_parts)]:
        return False
    ends, count = set(), 0
    for name in upstream_names:
        count += len(name)
        ends.add(count)
    return len(local_parts) in ends


def mismatch(parts: NirParts, pivot: dict) -> str | None:
    """What of the NIR disagrees with the pivot (``sex``, ``year``, ``month``, ``place``), or
    None. A presumed month (``00``) or a NIR's fictitious month (20-99) is not compared."""
    birthdate, gender = pivot.get("birthdate") or "", pivot.get("gender")
    if gender in ("male", "female") and SEX.get(parts.type_digit, gender) != gender:
        return "sex"
    if len(birthdate) == 10 and parts.year != birthdate[2:4]:
        return "year"
    if len(birthdate) == 10 and parts.month.isdigit() and 1 <= int(parts.month) <= 12 \
            and birthdate[5:7] != "00" and parts.month != birthdate[5:7]:
        return "month"
    return None if _same_place(parts, pivot) else "place"


def _same_place(parts: NirParts, pivot: dict) -> bool:
    """The NIR's place of birth (commune in France, else country) is the pivot's. A side that
    does not know it (an account created before it was asked) compares what it has."""
    born = of_nir(parts, pivot.get("birthdate") or "")
    country, place = pivot.get("birthcountry") or "", (pivot.get("birthplace") or "").upper()
    if not country:
        return not place or (born.in_france and same_commune(born.commune, place))
    if not born.country_known:            # 99990: abroad, the country was unknown
        return country != FRANCE
    if country != born.country:
        return False
    return not born.in_france or not place or same_commune(born.commune, place)


def nir_disagrees(nir: str, pivot: dict):
    """The French refusal when a NIR typed after FranceConnect cannot be the person's (a
    typing error or someone else's number, french-identifiers.md §1), else None."""
    parts = g.tenant.identifier_scheme.decode(nir)
    if parts is None:
        return None
    if parts.provisional:
        return PROVISIONAL
    found = mismatch(parts, pivot)
    if found:
        audit("franceconnect.nir", "failure", reason=found)
    return MESSAGES[found] if found else None


def not_in_directory(nir: str, pivot: dict):
    """Where the tenant has the insurer's reference directory (ameli), the NIR must be a
    beneficiary's whose birth name, birthdate and first name are those FranceConnect gave:
    the pivot proves who the person is, the directory that this number is theirs (a twin has
    the same birth name, birthdate, sex and commune, not the same first names). One message
    for any mismatch (the directory's rule: never say which field differs). The caller counts
    the answer against the checks' limits first (:func:`idp.signup.limits.check`)."""
    signup = g.tenant.config.signup
    if signup is None or not any(step.kind == "directory" for step in signup.steps):
        return None
    try:
        beneficiary = directory().find(nir)
    except DirectoryUnavailable:
        audit("franceconnect.directory", "failure", reason="unavailable")
        return _l("Service momentanément indisponible, réessayez plus tard.")
    found = match_identity(beneficiary, pivot.get("family_name", ""), pivot.get("birthdate", ""),
                           beneficiary.postal_code if beneficiary else "")
    reason = found.reason if not found.ok else None
    if reason is None and not given_names_agree(beneficiary.given_names, pivot.get("given_name", "")):
        reason = "given_names"
    if reason:
        audit("franceconnect.directory", "failure", reason=reason)
        return _l("Ce numéro ne correspond à aucun assuré de cette identité. Vérifiez-le sur votre carte Vitale.")
    return None
