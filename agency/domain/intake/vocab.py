"""Words people write in portfolio files: text folding, countries, claim kinds, debtor kinds."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from babel import Locale
from babel.core import get_global

_NOT_WORD = re.compile(r"[\W_]+")
# Combining accents (Latin, extended) and Arabic vowel marks, as NFKD separates them.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
                    "\u064b-\u065f\u0670]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})

CLAIM_KINDS = ("invoice", "bill_of_exchange", "contribution", "loan_instalment", "cheque", "other")
DEBTOR_KINDS = ("person", "company")


def fold(text: str) -> str:
    """Lower-case words without accents or punctuation ('N° Dossier' -> 'n dossier').
    Letters of other scripts (Arabic names) are kept, not dropped."""
    text = text.lower()
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_LIGATURES)))
    return _NOT_WORD.sub(" ", text).strip()


_CLAIM_KIND_WORDS = {
    "invoice": ("facture", "factures", "fact", "fac", "invoice", "facture de soins",
                "facture client", "bill"),
    "bill_of_exchange": ("effet", "effets", "effet de commerce", "effet impaye", "traite",
                         "lettre de change", "lcr", "bill of exchange", "draft"),
    "contribution": ("cotisation", "cotisations", "cotisation sociale", "contribution",
                     "contributions", "cotisation cnss", "majorations"),
    "loan_instalment": ("echeance", "echeance de pret", "echeance pret", "echeance credit",
                        "mensualite", "mensualite de pret", "pret", "credit",
                        "loan instalment", "loan installment", "instalment", "installment"),
    "cheque": ("cheque", "cheque impaye", "cheque sans provision", "check", "cheque retourne"),
    "other": ("autre", "autres", "divers", "other"),
}
_CLAIM_KIND_INDEX = {fold(word): kind for kind, words in _CLAIM_KIND_WORDS.items() for word in words}

_DEBTOR_KIND_WORDS = {
    "person": ("personne physique", "physique", "pp", "particulier", "particuliers", "personne",
               "individu", "person", "individual", "private", "consommateur", "client particulier"),
    "company": ("personne morale", "morale", "pm", "entreprise", "entreprises", "societe",
                "company", "business", "organisation", "organization", "professionnel",
                "employeur", "assureur", "assurance", "mutuelle", "ipm", "banque"),
}
_DEBTOR_KIND_INDEX = {fold(word): kind for kind, words in _DEBTOR_KIND_WORDS.items() for word in words}


@lru_cache(maxsize=1024)
def parse_claim_kind(text: str) -> str | None:
    """The canonical claim kind for a written one ('Traite' -> 'bill_of_exchange'), else None."""
    folded = fold(text)
    return folded if folded in CLAIM_KINDS else _CLAIM_KIND_INDEX.get(folded)


@lru_cache(maxsize=256)
def parse_debtor_kind(text: str) -> str | None:
    """'person' or 'company' for a written kind ('Personne morale' -> 'company'), else None."""
    folded = fold(text)
    return folded if folded in DEBTOR_KINDS else _DEBTOR_KIND_INDEX.get(folded)


# Codes babel lists as territories that are not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ"})
_COUNTRY_ALIASES = {
    "rci": "CI", "ivory coast": "CI", "cote divoire": "CI", "usa": "US", "uk": "GB",
    "angleterre": "GB", "senegal": "SN", "burkina": "BF", "rdc": "CD", "hollande": "NL",
}


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    """Folded country names (French and English), ISO-2 and ISO-3 codes -> ISO-2 code."""
    index: dict[str, str] = {}
    for language in ("en", "fr"):
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                index[fold(name)] = code
                index[code.lower()] = code
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1 and targets[0] in index.values():
            index.setdefault(alias.lower(), targets[0])
    index.update(_COUNTRY_ALIASES)
    return index


@lru_cache(maxsize=1024)
def parse_country(text: str) -> str | None:
    """ISO 3166 alpha-2 code for 'SN', 'SEN', 'Sénégal', 'Morocco'..., else None."""
    return _country_index().get(fold(text))
