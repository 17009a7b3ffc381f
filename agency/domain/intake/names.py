"""Debtor names compared as people mean them: accents, case, punctuation, word order and
legal-form words (SA, SARL, SAS...) do not make two names different."""
from __future__ import annotations

from functools import lru_cache

from agency.domain.intake.vocab import fold

LEGAL_FORMS = frozenset({
    "sa", "sarl", "sas", "sasu", "suarl", "sarlu", "eurl", "snc", "scs", "sca", "sci", "scp",
    "gie", "selarl", "ste", "societe", "ets", "etablissement", "etablissements", "cie",
    "ltd", "llc", "inc", "plc", "gmbh", "bv", "nv", "spa", "srl", "corp",
})


# Words that name an organisation, not a person: an insurer, a mutual, a bank, a group...
# (folded; "IPM" is Senegal's "institution de prévoyance maladie").
ORGANISATION_WORDS = frozenset({
    "assurance", "assurances", "assureur", "assureurs", "reassurance", "reassurances",
    "mutuelle", "mutuelles", "mutualite", "ipm", "banque", "banques", "bank", "compagnie",
    "groupe", "group", "groupement", "holding", "caisse", "fondation", "association",
    "cooperative", "entreprise", "entreprises", "industries", "ministere", "ambassade",
    "clinique", "hopital", "pharmacie", "laboratoire", "laboratoires", "universite", "institut",
    "office", "agence", "cabinet", "consulting", "services", "international", "transports",
})


# A file repeats a debtor's name on its few adjacent rows: a small cache catches that,
# and stays small (a million-row file of distinct names must fit in its memory budget).
_CACHED = 8192


@lru_cache(maxsize=_CACHED)
def normalise_name(name: str) -> str:
    """'Sté ÉIFFAGE S.A.' -> 'eiffage': folded, legal forms dropped (kept if nothing else)."""
    words = _words(name)
    kept = [word for word in words if word not in LEGAL_FORMS]
    return " ".join(kept or words)


@lru_cache(maxsize=_CACHED)
def _words(name: str) -> tuple[str, ...]:
    # 'S.A.' and 'S.A.R.L.' fold to single letters: join runs of them back into one word.
    words: list[str] = []
    letters = ""
    for word in fold(name).split():
        if len(word) == 1 and word.isalpha():
            letters += word
            continue
        if letters:
            words.append(letters)
            letters = ""
        words.append(word)
    if letters:
        words.append(letters)
    return tuple(words)


@lru_cache(maxsize=_CACHED)
def has_legal_form(name: str) -> bool:
    """Whether the name carries a company's legal form (SARL, SA, GIE...)."""
    return any(word in LEGAL_FORMS for word in _words(name))


@lru_cache(maxsize=_CACHED)
def names_a_company(name: str) -> bool:
    """Whether the name says company: a legal form (SA, SARL, SAS, SUARL, GIE...) or an
    organisation's word (assurance, mutuelle, IPM, banque, société, compagnie, groupe...)."""
    return any(word in LEGAL_FORMS or word in ORGANISATION_WORDS for word in _words(name))


def names_match(first: str, second: str) -> bool:
    """Whether two debtor names designate the same debtor ('DIOP Awa' and 'Awa Diop' do)."""
    left, right = normalise_name(first), normalise_name(second)
    if not left or not right:
        return False
    return left == right or sorted(left.split()) == sorted(right.split())
