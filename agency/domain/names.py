"""Names compared the way people mean them: no accents, case, punctuation or legal form."""
from __future__ import annotations

import re
import unicodedata

_LEGAL_FORMS = frozenset({
    "SA", "SARL", "SAS", "SASU", "SNC", "SCI", "EURL", "SUARL", "GIE", "LTD", "INC", "LLC",
})
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")


def name_key(name: str) -> str:
    """'Société Générale S.A.' and 'SOCIETE GENERALE' give the same key."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()
    words = [w for w in _NON_ALNUM.sub(" ", ascii_only.replace(".", "")).split()
             if w not in _LEGAL_FORMS]
    return " ".join(words)
