"""Debtor segments (e.g. the clinic's large/medium/small guarantors), as data per creditor.

A rule is a dict stored with the creditor::

    {"basis": "annual_billed", "currency": "XOF",
     "bands": [{"code": "G", "label": "Grand", "min_minor": 10000000},
               {"code": "M", "label": "Moyen", "min_minor": 5000000},
               {"code": "P", "label": "Petit", "min_minor": 0}]}

A band holds the amounts from its ``min_minor`` (included) up to the next band's minimum
(excluded); the lowest band must start at 0 and also takes negative amounts (a credit).
The basis names the amount the service computes before calling ``segment_for``:
- ``annual_billed``: the debtor's annual billed amount from the file's column, else the sum
  of the debtor's claims issued in the last 12 months;
- ``balance``: the case's open balance.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agency.domain.money import Money, MoneyError, check_currency

BASES = ("annual_billed", "balance")


class SegmentRuleError(ValueError):
    """A segmentation rule that cannot be used; the message says why (French)."""


@dataclass(frozen=True, slots=True)
class Band:
    code: str
    label: str
    min_minor: int


@dataclass(frozen=True, slots=True)
class SegmentRule:
    """Bands sorted from the highest minimum down; ``currency`` None accepts any currency."""

    basis: str
    bands: tuple[Band, ...]
    currency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stored form, which ``parse_rule`` reads back."""
        data: dict[str, Any] = {"basis": self.basis, "bands": [
            {"code": b.code, "label": b.label, "min_minor": b.min_minor} for b in self.bands]}
        if self.currency:
            data["currency"] = self.currency
        return data


def parse_rule(data: Mapping[str, Any]) -> SegmentRule:
    """Validate a stored rule dict into a SegmentRule; raises SegmentRuleError."""
    if not isinstance(data, Mapping):
        raise SegmentRuleError("La règle de segmentation doit être un objet.")
    basis = data.get("basis")
    if basis not in BASES:
        raise SegmentRuleError(f"Base de segmentation inconnue : {basis!r} (attendu : {', '.join(BASES)}).")
    bands = tuple(sorted((_band(item) for item in _band_list(data)), key=lambda b: -b.min_minor))
    _check_bands(bands)
    return SegmentRule(basis, bands, _currency(data.get("currency")))


def _band_list(data: Mapping[str, Any]) -> list:
    bands = data.get("bands")
    if not isinstance(bands, list) or not bands:
        raise SegmentRuleError("La règle de segmentation doit avoir au moins une tranche.")
    return bands


def _band(item: Any) -> Band:
    if not isinstance(item, Mapping):
        raise SegmentRuleError("Chaque tranche doit être un objet (code, min_minor).")
    code, minimum = item.get("code"), item.get("min_minor")
    if not isinstance(code, str) or not code.strip():
        raise SegmentRuleError("Chaque tranche doit avoir un code.")
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
        raise SegmentRuleError(f"Tranche {code} : min_minor doit être un entier positif ou nul.")
    label = item.get("label") or code
    if not isinstance(label, str):
        raise SegmentRuleError(f"Tranche {code} : le libellé doit être du texte.")
    return Band(code.strip(), label, minimum)


def _check_bands(bands: tuple[Band, ...]) -> None:
    codes = [band.code for band in bands]
    if len(set(codes)) != len(codes):
        raise SegmentRuleError("Deux tranches ont le même code.")
    minimums = [band.min_minor for band in bands]
    if len(set(minimums)) != len(minimums):
        raise SegmentRuleError("Deux tranches ont le même minimum.")
    if minimums[-1] != 0:
        raise SegmentRuleError("La tranche la plus basse doit commencer à 0.")


def _currency(code: Any) -> str | None:
    if code is None:
        return None
    try:
        return check_currency(code if isinstance(code, str) else "")
    except MoneyError:
        raise SegmentRuleError(f"Devise inconnue : {code!r}.") from None


def segment_for(rule: SegmentRule, basis_amount: Money) -> str:
    """The code of the band the amount falls in (the highest minimum it reaches)."""
    if rule.currency and basis_amount.currency != rule.currency:
        raise MoneyError(f"rule in {rule.currency}, amount in {basis_amount.currency}")
    for band in rule.bands:
        if basis_amount.minor >= band.min_minor:
            return band.code
    return rule.bands[-1].code


# The clinic's procedure (PO02-MO0004) says large > 10,000,000 and medium from 5,000,000 to
# under 10,000,000, leaving exactly 10,000,000 in neither. We put it in G: medium's stated
# upper bound excludes it, and closing the gap upward keeps the bands contiguous.
CLINIC_RULE = parse_rule({
    "basis": "annual_billed",
    "currency": "XOF",
    "bands": [
        {"code": "G", "label": "Grand", "min_minor": 10_000_000},
        {"code": "M", "label": "Moyen", "min_minor": 5_000_000},
        {"code": "P", "label": "Petit", "min_minor": 0},
    ],
})
