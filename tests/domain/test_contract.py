"""A creditor's contract as a value: terms read as people write them, every refusal naming
its field, the canonical form, the mandate's rule on contacting debtors."""
from __future__ import annotations

from datetime import date

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from agency.domain.contract import (
    CHANNELS, COMMISSION_PHASES, ContractTerms, Mandate, PlanBounds, Refused, contact_verdict,
    document_kind, mandate_verdict, parse_rate, parse_terms, read_mandate, remittance_limit,
)
from agency.domain.contract.identity import read_identity
from agency.domain.playbook import dump_yaml, load_builtin, load_yaml
from agency.domain.segments import CLINIC_RULE, parse_rule

ISSUE_TERMS = """
playbook: clinic-po02
commission_rate: "15 %"            # or by phase: {amicable: "15 %", judicial: "20 %"}
commission_cap: "30 000,00"        # per case, in the creditor's currency
fixed_fee: "0"
vat_rate: "20 %"
remittance_days: 30
payment_term_days: 30
plan: {max_instalments: 12, min_instalment: "5 000", max_months: 12, days: [5, 15, 25]}
partial_payment_min: "10 000"
discount_max: "10 %"
channels: [call, sms, email, letter]
segments: {basis: annual_billed, bands: [{code: G, min: "10 000 000"}, {code: M, min: "5 000 000"}, {code: P, min: "0"}]}
"""


def read(data, currency="MAD", locale="fr_MA", base=None, **kwargs):
    return parse_terms(data, currency=currency, locale=locale, base=base or ContractTerms(), **kwargs)


def test_the_issues_terms_file_reads_into_minor_units_and_basis_points():
    reading = read(yaml.safe_load(ISSUE_TERMS))
    assert reading.errors == ()
    terms = reading.terms
    assert terms.playbook == "clinic-po02"
    assert dict(terms.commission_bp) == {"amicable": 1500, "judicial": 1500}
    assert terms.cap_minor == 3_000_000 and terms.fixed_fee_minor == 0  # 30 000,00 MAD
    assert terms.vat_bp == 2000 and terms.discount_max_bp == 1000
    assert terms.plan == PlanBounds(12, 500_000, 12, (5, 15, 25))
    assert terms.partial_payment_min_minor == 1_000_000
    assert terms.channels == frozenset(CHANNELS)
    assert [(b.code, b.min_minor) for b in terms.segment_rule.bands] == [
        ("G", 1_000_000_000), ("M", 500_000_000), ("P", 0)]
    assert terms.own_segments and terms.segment_rule.currency == "MAD"


def test_commission_may_differ_by_phase_and_the_courts_phases_are_judicial():
    terms = read({"commission_rate": {"amicable": "15 %", "judicial": "20 %"}}).terms
    assert dict(terms.commission_bp) == {"amicable": 1500, "judicial": 2000}
    assert terms.commission_for("pre_litigation") == 1500
    assert [terms.commission_for(p) for p in ("judicial", "injunction", "enforcement")] == [2000] * 3
    only_judicial = read({"commission_rate": {"judicial": "25"}}, base=terms).terms
    assert dict(only_judicial.commission_bp) == {"amicable": 1500, "judicial": 2500}


@pytest.mark.parametrize("written, points", [
    ("15 %", 1500), ("15%", 1500), ("12,5 %", 1250), ("12.25", 1225), (15, 1500), (12.5, 1250),
    ("0", 0), ("100 %", 10_000), ("\u00a07,5\u202f%", 750)])
def test_rates_as_people_write_them(written, points):
    assert parse_rate(written) == points


@pytest.mark.parametrize("written", ["-5 %", "101 %", "12,345 %", "quinze", "", None, True])
def test_rates_refused(written):
    with pytest.raises(Refused):
        parse_rate(written)


@pytest.mark.parametrize("data, field", [
    ({"commission_rate": "-5 %"}, "commission_rate"),
    ({"commission_rate": {"judicial": "-1"}}, "commission_rate.judicial"),
    ({"commission_rate": {"litigation": "5 %"}}, "commission_rate.litigation"),
    ({"commission_cap": "30 000 EUR"}, "commission_cap"),
    ({"commission_cap": "-30 000"}, "commission_cap"),
    ({"fixed_fee": "beaucoup"}, "fixed_fee"),
    ({"vat_rate": "120 %"}, "vat_rate"),
    ({"plan": {"max_instalments": 24, "max_months": 6}}, "plan.max_instalments"),
    ({"plan": {"days": [5, 31]}}, "plan.days"),
    ({"plan": {"days": []}}, "plan.days"),
    ({"plan": {"days": [5, 5]}}, "plan.days"),
    ({"plan": {"min_instalment": "5 000 EUR"}}, "plan.min_instalment"),
    ({"plan": {"weeks": 3}}, "plan.weeks"),
    ({"remittance_days": 45}, "remittance_days"),
    ({"remittance_days": 0}, "remittance_days"),
    ({"channels": ["call", "fax"]}, "channels"),
    ({"channels": []}, "channels"),
    ({"contact_hours": {"classic_close": "20:00"}}, "contact_hours.default"),
    ({"contact_hours": {"SN": {"call_open": "07:00"}}}, "contact_hours.SN"),
    ({"contact_hours": {"messages_on_days_off": True}}, "contact_hours.default"),
    ({"approvals": {"letters": "the boss"}}, "approvals.letter"),
    ({"approvals": ["bribes"]}, "approvals"),
    ({"automations": {"accept_plans": {"max_instalments": 24}}},
     "automations.accept_plans.max_instalments"),
    ({"automations": {"start_procedure": True}}, "automations.start_procedure"),
    ({"automations": {"teleport": True}}, "automations.teleport"),
    ({"segments": {"basis": "mood", "bands": [{"code": "A", "min": "0"}]}}, "segments.basis"),
    ({"segments": {"basis": "balance", "bands": [{"code": "A", "min": "5"}]}}, "segments.bands"),
    ({"segments": {"basis": "balance", "bands": [{"code": "A", "min": "5 EUR"}]}},
     "segments.bands[0].min"),
    ({"segments": {"basis": "balance", "currency": "XOF", "bands": [{"code": "A", "min_minor": 0}]}},
     "segments.currency"),
    ({"playbook": "Not A Slug!"}, "playbook"),
    ({"playbook_rate": "-2"}, "playbook_rate"),
    ({"commision_rate": "5 %"}, "commision_rate"),
])
def test_every_invalid_term_is_refused_with_its_field_named(data, field):
    reading = read(data)
    assert reading.terms is None
    assert field in [error.field for error in reading.errors], reading.errors
    assert all(error.message for error in reading.errors)


def test_a_mandate_may_agree_a_longer_remittance_period():
    assert read({"remittance_days": 45}).terms is None
    mandate = Mandate("M-1", date(2026, 1, 1), remittance_days=60)
    assert remittance_limit(mandate) == 60 and remittance_limit(None) == 31
    assert read({"remittance_days": 45}, remittance_limit=remittance_limit(mandate)).terms.remittance_days == 45


def test_a_subset_changes_only_what_it_names():
    base = read(yaml.safe_load(ISSUE_TERMS)).terms
    changed = read({"vat_rate": "10 %", "plan": {"max_instalments": 6}}, base=base).terms
    assert changed.vat_bp == 1000 and changed.plan.max_instalments == 6
    assert changed.plan.days == base.plan.days and changed.cap_minor == base.cap_minor
    assert read({"commission_cap": None}, base=base).terms.cap_minor is None


def test_approvals_as_a_list_are_what_needs_the_creditor():
    terms = read({"approvals": {"letters": "direction"}}).terms
    assert terms.action_approvals() == {"letter": "direction"}
    listed = read({"approvals": ["legal_action", "suspend_service"]}, base=terms).terms
    assert listed.needs_creditor() == {"legal_action", "suspend_service"}
    assert listed.action_approvals() == {"letter": "direction", "suspend_service": "creditor",
                                         "injunction_file": "creditor"}


def test_narrower_contact_hours_are_kept_by_country():
    terms = read({"contact_hours": {"default": {"classic_close": "17:00"},
                                    "sn": {"call_open": "09:00"}}}).terms
    assert set(terms.contact_hours) == {"default", "SN"}
    flat = read({"contact_hours": {"call_open": "09:30", "rest_days": ["friday", "saturday", "sunday"]}}).terms
    assert dict(flat.contact_hours["default"])["call_open"] == "09:30"


terms_strategy = st.builds(
    ContractTerms,
    playbook=st.sampled_from([None, "clinic-po02", "bank-amicable-3-sob"]),
    segment_rule=st.sampled_from([None, CLINIC_RULE]),
    own_segments=st.booleans(),
    commission_bp=st.fixed_dictionaries({p: st.integers(0, 10_000) for p in COMMISSION_PHASES}),
    cap_minor=st.none() | st.integers(0, 10**12), fixed_fee_minor=st.integers(0, 10**9),
    vat_bp=st.integers(0, 10_000), remittance_days=st.integers(1, 31),
    payment_term_days=st.integers(0, 366),
    plan=st.builds(PlanBounds, st.integers(1, 12), st.integers(0, 10**8), st.integers(12, 24),
                   st.lists(st.integers(1, 28), min_size=1, max_size=3, unique=True)
                   .map(lambda days: tuple(sorted(days)))),
    partial_payment_min_minor=st.integers(0, 10**8), discount_max_bp=st.integers(0, 10_000),
    approvals=st.dictionaries(st.sampled_from(["letter", "legal_action", "plan_outside_bounds"]),
                              st.sampled_from(["direction", "creditor"])),
    automations=st.sampled_from([{}, {"open_investigation": {}},
                                 {"accept_plans": {"max_instalments": 1}}]),
    channels=st.sets(st.sampled_from(CHANNELS), min_size=1).map(frozenset),
    contact_hours=st.sampled_from([{}, {"default": {"call_open": "09:00"}},
                                   {"SN": {"rest_days": ["friday", "saturday", "sunday"]}}]),
    counter_call_spacing_minutes=st.integers(1, 1440))


@given(terms_strategy)
def test_the_canonical_form_reads_back_to_the_same_terms(terms):
    assert ContractTerms.from_dict(terms.to_dict()) == terms


def test_an_older_stored_version_takes_defaults_for_what_it_lacks():
    terms = ContractTerms.from_dict({"playbook": "clinic-po02", "commission_bp": {"amicable": 800}})
    assert terms.commission_bp["judicial"] == 0 and terms.plan == PlanBounds()
    assert terms.needs_creditor() == {"plan_outside_bounds", "discount_beyond_limit"}


def test_the_clinic_playbook_carries_its_segment_rule():
    playbook = load_builtin("clinic-po02")
    assert playbook.segments == ("G", "M", "P")
    assert playbook.segment_rule == parse_rule({"basis": "annual_billed", "currency": "XOF", "bands": [
        {"code": "G", "label": "Gros client", "min_minor": 10_000_000},
        {"code": "M", "label": "Moyen client", "min_minor": 5_000_000},
        {"code": "P", "label": "Petit client", "min_minor": 0}]})
    assert load_yaml(dump_yaml(playbook)) == playbook
    assert load_builtin("bank-amicable-3").segment_rule is None


def test_a_playbook_rule_is_checked_like_the_rest_of_the_playbook():
    text = dump_yaml(load_builtin("clinic-po02"))
    broken = text.replace("min: 0\n", "min: 5000000\n", 1)
    with pytest.raises(Exception) as refused:
        load_yaml(broken)
    assert "segments" in str(refused.value)


def test_french_creditors_need_a_recorded_mandate_before_any_contact():
    mandate = Mandate("MDT-1", date(2026, 1, 15))
    assert not mandate_verdict("fr", None).allowed and mandate_verdict("fr", None).code == "mandate_missing"
    assert mandate_verdict("fr", mandate).allowed and mandate_verdict("fr", mandate).warning is None
    elsewhere = mandate_verdict("ohada", None)
    assert elsewhere.allowed and elsewhere.warning == "mandate_missing_warning"
    assert "R124-3" in mandate_verdict("fr", None).explanation
    terms = ContractTerms(channels=frozenset({"call", "letter"}))
    assert contact_verdict("fr", None, terms, "call").code == "mandate_missing"
    assert contact_verdict("fr", mandate, terms, "sms").code == "channel_not_allowed"
    assert contact_verdict("fr", mandate, terms, "letter").allowed
    assert contact_verdict("ma", mandate, terms, "pigeon").code == "unknown_channel"


def test_a_mandate_as_typed():
    today = date(2026, 3, 2)
    mandate, errors = read_mandate({"reference": "MDT-1", "signed_on": "2026-01-15",
                                    "amount": "1 500 000", "remittance_days": "45"},
                                   currency="XOF", locale="fr_SN", today=today)
    assert errors == () and mandate.amount_minor == 1_500_000 and mandate.remittance_days == 45
    _, errors = read_mandate({"signed_on": "2026-04-01", "amount": "5 EUR"}, currency="XOF",
                             locale="fr_SN", today=today)
    assert {e.field for e in errors} == {"reference", "signed_on", "amount"}


def test_the_signed_document_is_known_by_its_bytes():
    assert document_kind(b"%PDF-1.7\n") == ("pdf", "application/pdf")
    assert document_kind(b"\xff\xd8\xff\xe0") == ("jpg", "image/jpeg")
    assert document_kind(b"MZ\x90\x00") is None


def test_identity_fields_each_name_their_refusal():
    values, errors = read_identity({"name": "Clinique", "country": "SN", "currency": "XOF",
                                    "timezone": "", "jurisdiction": "ohada", "language": "fr"})
    assert errors == () and values["timezone"] == "Africa/Dakar"
    _, errors = read_identity({"name": "", "country": "S", "currency": "ABC",
                               "timezone": "Mars/Olympus", "jurisdiction": "usa", "language": "de"})
    assert {e.field for e in errors} == {"name", "country", "currency", "timezone", "jurisdiction",
                                         "language"}
