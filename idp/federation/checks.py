"""Whether a NIR typed after FranceConnect is the person's: compared with the identité pivot
FranceConnect gave from the civil registry and, where the tenant has one (ameli), with the
insurer's reference directory."""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l

from ..audit import audit
from .linking import FRANCE

ARRONDISSEMENTS = {"75": "751", "69": "6938", "13": "132"}   # Paris, Lyon, Marseille
CITIES = {"75056", "69123", "13055"}


def _same_birthplace(nir_code: str, place: str) -> bool:
    """The NIR's commune of birth and FranceConnect's ``birthplace`` name the same place.

    Corsica was one département, "20", before 1976 (NIR) while the COG now says 2A/2B; a
    city with arrondissements may be given as the city or as an arrondissement."""
    if nir_code[:2] == "20" and place[:2] in ("2A", "2B"):
        return nir_code[2:] == place[2:]
    if place in CITIES or nir_code in CITIES:
        prefix = ARRONDISSEMENTS[place[:2]]
        return nir_code[:2] == place[:2] and (nir_code in CITIES or nir_code.startswith(prefix)) \
            and (place in CITIES or place.startswith(prefix))
    return nir_code == place


def nir_disagrees(nir: str, pivot: dict):
    """The NIR's sex, year and month of birth and commune of birth (or country, born
    abroad) must be those FranceConnect gave from the civil registry: otherwise it is a
    typing error or someone else's number (french-identifiers.md §1).

    Where the NIR's place cannot be compared (91-94 were Algeria's before 1962, when these
    codes were not yet Île-de-France's; overseas), only sex and date are."""
    parts = g.tenant.identifier_scheme.decode(nir)
    if parts is None:
        return None
    if parts.provisional:
        return _l("Saisissez votre numéro de sécurité sociale définitif (il commence par 1 ou 2).")
    birthdate, gender = pivot.get("birthdate") or "", pivot.get("gender")
    if gender in ("male", "female") and parts.type_digit in "12" \
            and parts.type_digit != ("1" if gender == "male" else "2"):
        return _l("Ce numéro ne correspond pas au sexe transmis par FranceConnect.")
    if len(birthdate) == 10 and parts.year != birthdate[2:4]:
        return _l("Ce numéro ne correspond pas à votre année de naissance.")
    if len(birthdate) == 10 and parts.month.isdigit() and 1 <= int(parts.month) <= 12 \
            and birthdate[5:7] != "00" and parts.month != birthdate[5:7]:
        return _l("Ce numéro ne correspond pas à votre mois de naissance.")
    place, country = pivot.get("birthplace") or "", pivot.get("birthcountry") or ""
    wrong_place = _l("Ce numéro ne correspond pas à votre lieu de naissance.")
    if parts.born_abroad:
        return wrong_place if country == FRANCE or (country and parts.country_code != country) else None
    algeria = parts.department in ("91", "92", "93", "94") and (not birthdate or birthdate[:4] < "1968")
    if algeria or len(parts.department) == 3:   # Algeria before 1962, overseas: not comparable
        return None
    if country and country != FRANCE:
        return wrong_place
    if place and not _same_birthplace(parts.department + parts.commune, place.upper()):
        return wrong_place
    return None


def not_in_directory(nir: str, pivot: dict):
    """Where the tenant has the insurer's reference directory (ameli), the NIR must be a
    beneficiary's whose birth name and birthdate are those FranceConnect gave: the pivot
    proves who the person is, the directory that this number is theirs. One message for any
    mismatch (the directory's rule: never say which field differs)."""
    from ..signup.directory import DirectoryUnavailable, match_identity
    from ..signup.directory_steps import directory

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
    if not found.ok:
        audit("franceconnect.directory", "failure", reason=found.reason)
        return _l("Ce numéro ne correspond à aucun assuré de cette identité. Vérifiez-le sur votre carte Vitale.")
    return None
