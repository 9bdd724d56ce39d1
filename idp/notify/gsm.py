"""SMS text in the GSM 03.38 default alphabet (3GPP TS 23.038 §6.2.1), so that a message of
160 characters fits in one SMS; a single character outside it (an en dash in a tenant's
name, a "ê") would switch the whole SMS to UCS-2 and its limit to 70 characters.

French letters outside the alphabet lose their accent ("ê" → "e"); typographic punctuation
becomes its ASCII counterpart.
"""

from __future__ import annotations

import unicodedata

BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
         "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
EXTENDED = "^{}\\[~]|€\f"  # sent as ESC + character: two septets each
SINGLE_SMS = 160

TYPOGRAPHY = str.maketrans({
    "–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'", "‘": "'", "«": '"', "»": '"', "“": '"', "”": '"',
    "…": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "ç": "c", "œ": "oe", "Œ": "OE",
})


def _gsm_char(char: str) -> str:
    if char in BASIC or char in EXTENDED:
        return char
    bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return bare if bare and all(c in BASIC for c in bare) else "?"


def to_gsm(text: str) -> str:
    """``text`` with every character in the GSM default alphabet or its extension table."""
    return "".join(_gsm_char(c) for c in text.translate(TYPOGRAPHY))


def gsm_length(text: str) -> int:
    """Septets ``text`` takes once encoded (extension characters count twice)."""
    return sum(2 if c in EXTENDED else 1 for c in text)
