"""Segmentation rules as data, and the clinic's 63 guarantors in their categories."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency.domain.intake import IntakeContext, map_columns, open_table, read_claims
from agency.domain.money import Money, MoneyError
from agency.domain.segments import CLINIC_RULE, SegmentRuleError, parse_rule, segment_for

GUARANTORS = Path("/work/shared/data/clinic_guarantors.csv")


def xof(amount: int) -> Money:
    return Money(amount, "XOF")


@pytest.mark.parametrize("amount, code", [
    (51_896_617, "G"), (10_000_001, "G"), (10_000_000, "G"),
    (9_999_999, "M"), (5_000_000, "M"),
    (4_999_999, "P"), (0, "P"), (-1, "P"),
])
def test_clinic_bands(amount, code):
    assert segment_for(CLINIC_RULE, xof(amount)) == code


def test_the_clinics_63_guarantors_get_the_clinics_categories():
    context = IntakeContext(currency="XOF", country="SN", today=date(2025, 1, 15), locale="fr_SN")
    with open_table(GUARANTORS, GUARANTORS.name) as table:
        outcomes = list(read_claims(table, map_columns(table.header), context))
    assert len(outcomes) == 63 and all(outcome.ok for outcome in outcomes)
    mismatches = [(o.claim.debtor.name, o.claim.amount.minor, o.claim.extras["categorie"])
                  for o in outcomes
                  if segment_for(CLINIC_RULE, o.claim.amount) != o.claim.extras["categorie"]]
    assert mismatches == []
    counts = {code: sum(o.claim.extras["categorie"] == code for o in outcomes) for code in "GMP"}
    assert counts == {"G": 11, "M": 5, "P": 47}


def test_rule_round_trips_and_sorts_bands():
    rule = parse_rule({"basis": "balance", "bands": [
        {"code": "P", "min_minor": 0}, {"code": "G", "label": "Grand", "min_minor": 100}]})
    assert [band.code for band in rule.bands] == ["G", "P"]
    assert rule.bands[1].label == "P" and rule.currency is None
    assert parse_rule(rule.to_dict()) == rule
    assert parse_rule(CLINIC_RULE.to_dict()) == CLINIC_RULE
    assert segment_for(rule, Money(100, "EUR")) == "G"


@pytest.mark.parametrize("data, message", [
    ([], "objet"),
    ({"basis": "ca", "bands": [{"code": "P", "min_minor": 0}]}, "Base"),
    ({"basis": "balance"}, "tranche"),
    ({"basis": "balance", "bands": []}, "tranche"),
    ({"basis": "balance", "bands": ["P"]}, "objet"),
    ({"basis": "balance", "bands": [{"min_minor": 0}]}, "code"),
    ({"basis": "balance", "bands": [{"code": "P", "min_minor": -1}]}, "min_minor"),
    ({"basis": "balance", "bands": [{"code": "P", "min_minor": 1.5}]}, "min_minor"),
    ({"basis": "balance", "bands": [{"code": "P", "min_minor": True}]}, "min_minor"),
    ({"basis": "balance", "bands": [{"code": "P", "min_minor": 5}]}, "commencer à 0"),
    ({"basis": "balance", "bands": [{"code": "P", "min_minor": 0}, {"code": "P", "min_minor": 9}]}, "code"),
    ({"basis": "balance", "bands": [{"code": "A", "min_minor": 0}, {"code": "B", "min_minor": 0}]}, "minimum"),
    ({"basis": "balance", "bands": [{"code": "A", "min_minor": 0, "label": 3}]}, "libellé"),
    ({"basis": "balance", "currency": "ZZZ", "bands": [{"code": "A", "min_minor": 0}]}, "Devise"),
])
def test_invalid_rules_are_refused(data, message):
    with pytest.raises(SegmentRuleError, match=message):
        parse_rule(data)


def test_the_rule_currency_must_match():
    with pytest.raises(MoneyError):
        segment_for(CLINIC_RULE, Money(10_000_000, "EUR"))


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_a_higher_amount_never_gets_a_lower_band(amount):
    order = [band.code for band in CLINIC_RULE.bands]
    assert order.index(segment_for(CLINIC_RULE, xof(amount))) >= order.index(
        segment_for(CLINIC_RULE, xof(amount + 1)))
