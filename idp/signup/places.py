"""Place of birth typed as a person would: a commune name (with its département when the
name is ambiguous), a postal code, an INSEE code, or a country for a birth abroad; resolved
to the INSEE code (COG) that the NIR and FranceConnect's ``birthplace`` use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from idp.web.i18n import tr

import re
import unicodedata
from functools import lru_cache

from policies import cog, validator


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    text = re.sub(r"\bSAINTE?\b", lambda m: "STE" if m.group(0) == "SAINTE" else "ST", text)
    return re.sub(r"[^A-Z0-9]+", " ", text).strip()


@lru_cache(maxsize=1)
def _commune_index() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for code, (name, _) in cog.communes().items():
        index.setdefault(_fold(name), []).append(code)
    return index


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    return {_fold(name): code for code, name in cog.countries().items()}


def resolve_birthplace(text: str) -> tuple[str | None, str | None]:
    """(INSEE code, None) or (None, French message)."""
    raw = (text or "").strip()
    if not raw:
        return None, _l("Ce champ est obligatoire.")
    if re.fullmatch(r"(?i)\d[\dAB]\d{3}", raw.replace(" ", "")):
        result = validator("insee_birthplace")(raw)
        return (result.value, None) if result.passing else (None, tr(result.messages[0]))
    match = re.fullmatch(r"(.+?)\s*\((\d[\dAB]|97\d)\)", raw)
    name, dept = (match.group(1), match.group(2).upper()) if match else (raw, None)
    codes = _commune_index().get(_fold(name), [])
    if dept:
        codes = [c for c in codes if c.startswith(dept)]
    if len(codes) == 1:
        return codes[0], None
    if len(codes) > 1:
        depts = ", ".join(sorted({c[:3] if c.startswith("97") else c[:2] for c in codes}))
        return None, f"Plusieurs communes portent ce nom : précisez le département, par exemple « {name.strip()} ({depts.split(', ')[0]}) »."
    country = _country_index().get(_fold(name))
    if country:
        return country, None
    return None, _l("Commune ou pays de naissance introuvable. Vérifiez l'orthographe.")


def birthplace_label(code: str) -> str:
    if code.startswith("99"):
        return cog.country_name(code) or code
    name = cog.commune_name(code)
    return f"{name.title()} ({code[:3] if code.startswith('97') else code[:2]})" if name else code
