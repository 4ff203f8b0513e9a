"""Names as runwear compares them: NFC, case-folded, spaces tidied; loosely without accents."""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """A shoe name as compared: NFC-normalised, case-folded, outer and doubled spaces dropped."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def loose_key(name: str) -> str:
    """A name compared case- and accent-insensitively: "Pégasus" and "PEGASUS" are one."""
    decomposed = unicodedata.normalize("NFD", name_key(name))
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def clean_name(name: str) -> str:
    """A name as stored: NFC-normalised with outer and doubled spaces dropped ("" if blank)."""
    return " ".join(unicodedata.normalize("NFC", name).split())
