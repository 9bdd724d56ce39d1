"""Carte Vitale serial number and French identity document numbers.

Sources: seed 002 (carte Vitale "avec photo : les 11 derniers chiffres du numéro de série ;
sans photo : les 8 à 13 chiffres"), french-identifiers.md §2-3: new CNI (since August 2021)
9 letters or digits; old CNI 12 digits; passport 2 digits + 2 letters + 5 digits; titre de
séjour: the numéro étranger AGDREF, 10 digits (some pages say 9, also accepted). The ICAO
9303 check digit (weights 7, 3, 1; ``<`` = 0, A-Z = 10-35) is checked when the caller has
the printed check digit (from the MRZ); a typed number alone has none.
"""

from __future__ import annotations

import re

from policies.results import Message, Result

# Vitale: "si besoin, rajouter le chiffre 9 à la fin pour obtenir 11 chiffres" (ameli help).
VITALE_PHOTO_LENGTH = 11
VITALE_RANGE = (8, 13)

DOCUMENT_FORMATS = {
    "cni": re.compile(r"^[A-Z0-9]{9}$"),
    "cni_old": re.compile(r"^[0-9]{12}$"),
    "passport": re.compile(r"^[0-9]{2}[A-Z]{2}[0-9]{5}$"),
    "residence_permit": re.compile(r"^[0-9]{9,10}$"),
}
FORMAT_MESSAGES = {
    "cni": "identity.cni_bad_format",
    "cni_old": "identity.cni_bad_format",
    "passport": "identity.passport_bad_format",
    "residence_permit": "identity.residence_permit_bad_format",
}
KINDS = tuple(DOCUMENT_FORMATS)


def vitale(raw: str, photo: bool | None = None) -> Result:
    """Check a carte Vitale serial number; ``photo`` says which card the person holds."""
    value = re.sub(r"[\s.\-]", "", raw or "")
    if not value:
        return Result.fail(Message.of("required"))
    if not value.isdigit():
        return Result.fail(Message.of("vitale.bad_format"))
    if photo:
        if len(value) == VITALE_PHOTO_LENGTH - 1:
            value += "9"
        if len(value) != VITALE_PHOTO_LENGTH:
            return Result.fail(Message.of("vitale.bad_length_photo"))
    elif not VITALE_RANGE[0] <= len(value) <= VITALE_RANGE[1]:
        low, high = VITALE_RANGE
        return Result.fail(Message.of("vitale.bad_length", min=low, max=high))
    return Result.ok(value)


def icao_check_digit(text: str) -> str:
    """ICAO 9303 check digit: ``X4RTBPFW4`` -> ``6``, ``08CD50338`` -> ``0``."""
    total = 0
    for index, char in enumerate(text.upper()):
        value = 0 if char == "<" else int(char, 36)
        total += value * (7, 3, 1)[index % 3]
    return str(total % 10)


def detect_kind(value: str) -> str | None:
    """The first document kind whose format matches (a 9-digit number reads as a CNI)."""
    for kind, pattern in DOCUMENT_FORMATS.items():
        if pattern.match(value):
            return kind
    return None


def identity_document(raw: str, kind: str | None = None, check_digit: str | None = None) -> Result:
    """Check a document number; ``value`` is ``{"kind": ..., "number": ...}``.

    ``kind`` is one of "cni", "cni_old", "passport", "residence_permit" (None: guess).
    """
    value = re.sub(r"[\s.\-]", "", raw or "").upper()
    if not value:
        return Result.fail(Message.of("required"))
    if kind is not None and kind not in DOCUMENT_FORMATS:
        raise ValueError(f"unknown identity document kind {kind!r} (expected one of {', '.join(KINDS)})")
    found = kind if kind and DOCUMENT_FORMATS[kind].match(value) else (None if kind else detect_kind(value))
    if found is None:
        if kind == "cni" and DOCUMENT_FORMATS["cni_old"].match(value):
            found = "cni_old"  # a card issued before August 2021
        else:
            return Result.fail(Message.of(FORMAT_MESSAGES.get(kind or "", "identity.unknown_format")))
    if check_digit is not None and icao_check_digit(value) != str(check_digit).strip():
        return Result.fail(Message.of("identity.bad_check_digit"))
    return Result.ok({"kind": found, "number": value})
