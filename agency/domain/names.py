"""Names compared the way people mean them: no accents, case, punctuation or legal form.

One normaliser for the whole platform: the debtor index (``Debtor.name_key``, searched
with LIKE) and portfolio intake's debtor matching both use
``agency.domain.intake.names.normalise_name``, so a name found by search is the name
intake matches.
"""
from __future__ import annotations

from agency.domain.intake.names import names_match, normalise_name

__all__ = ["name_key", "names_match"]


def name_key(name: str) -> str:
    """'Société Générale S.A.' and 'SOCIETE GENERALE' give the same key ('generale')."""
    return normalise_name(name or "")
