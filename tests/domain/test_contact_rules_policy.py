"""ContactPolicy: built from plain configuration, never wider than 08:00-21:00 and 7/7."""
from dataclasses import replace
from datetime import time

import pytest

from agency.domain.contact_rules import (
    DEFAULT_POLICY, ContactPolicy, ContactPolicyError, TimeRange,
)


def test_defaults_are_the_legal_maximum():
    assert (DEFAULT_POLICY.call_open, DEFAULT_POLICY.classic_close, DEFAULT_POLICY.extended_close) == (
        time(8), time(18), time(21))
    assert (DEFAULT_POLICY.message_open, DEFAULT_POLICY.message_close) == (time(8), time(21))
    assert DEFAULT_POLICY.rest_days == frozenset({5, 6})
    assert (DEFAULT_POLICY.max_attempts, DEFAULT_POLICY.attempt_period_days, DEFAULT_POLICY.quiet_days) == (7, 7, 7)
    assert DEFAULT_POLICY.messages_on_days_off is False


def test_from_dict_reads_times_weekday_names_and_ranges():
    policy = ContactPolicy.from_dict({
        "call_open": "09:00", "classic_close": "17:30", "extended_close": "20:00",
        "rest_days": ["vendredi", "Saturday"], "max_attempts": 5, "quiet_days": "10",
        "inconvenient": ["12:00-14:00", ("19:00", "19:30")], "messages_on_days_off": True,
    })
    assert (policy.call_open, policy.classic_close, policy.extended_close) == (time(9), time(17, 30), time(20))
    assert policy.rest_days == frozenset({4, 5})
    assert (policy.max_attempts, policy.quiet_days) == (5, 10)
    assert policy.inconvenient == (TimeRange(time(12), time(14)), TimeRange(time(19), time(19, 30)))
    assert policy.messages_on_days_off is True


def test_from_dict_accepts_weekday_numbers_and_an_empty_weekend():
    assert ContactPolicy.from_dict({"rest_days": [4]}).rest_days == frozenset({4})
    assert ContactPolicy.from_dict({"rest_days": []}).rest_days == frozenset()


def test_extended_window_can_be_switched_off():
    policy = ContactPolicy.from_dict({"extended_close": "18:00"})
    assert policy.extended_close == policy.classic_close


@pytest.mark.parametrize("config", [
    {"extended_close": "21:30"},
    {"call_open": "07:59"},
    {"classic_close": "21:01", "extended_close": "21:01"},
    {"message_open": "07:00"},
    {"message_close": "22:00"},
    {"classic_close": "19:00", "extended_close": "18:30"},
    {"call_open": "18:00"},
    {"max_attempts": 8},
    {"max_attempts": 0},
    {"attempt_period_days": 6},
    {"quiet_days": 6},
    {"quiet_days": 0},
    {"rest_days": [0, 1, 2, 3, 4, 5, 6]},
    {"rest_days": ["funday"]},
    {"rest_days": [7]},
    {"inconvenient": ["14:00-12:00"]},
    {"inconvenient": ["noon"]},
    {"call_open": "8h"},
    {"max_attempts": True},
    {"max_attempts": 3.5},
    {"messages_on_days_off": "yes"},
    {"call_window": "08:00-21:00"},
    {"rest_days": 5},
    {"rest_days": [4.0]},
    {"inconvenient": "12:00-14:00"},
    {"inconvenient": [1200]},
])
def test_wider_or_malformed_configuration_is_rejected(config):
    with pytest.raises(ContactPolicyError):
        ContactPolicy.from_dict(config)


def test_direct_construction_is_checked_too():
    with pytest.raises(ContactPolicyError, match="08:00-21:00"):
        ContactPolicy(extended_close=time(22))
    with pytest.raises(ContactPolicyError, match="max_attempts"):
        ContactPolicy(max_attempts=9)


def test_stricter_keeps_the_narrowest_of_both():
    country = ContactPolicy.from_dict({"rest_days": ["friday"], "inconvenient": ["13:00-14:00"]})
    creditor = ContactPolicy.from_dict({"rest_days": [5, 6], "call_open": "09:00", "extended_close": "20:00", "max_attempts": 4,
                                        "quiet_days": 9, "messages_on_days_off": True,
                                        "inconvenient": ["13:00-14:00", "12:00-12:30"]})
    both = country.stricter(creditor)
    assert (both.call_open, both.classic_close, both.extended_close) == (time(9), time(18), time(20))
    assert both.rest_days == frozenset({4, 5, 6})
    assert (both.max_attempts, both.attempt_period_days, both.quiet_days) == (4, 7, 9)
    assert both.inconvenient == (TimeRange(time(13), time(14)), TimeRange(time(12), time(12, 30)))
    assert both.messages_on_days_off is False
    swapped = creditor.stricter(country)  # the same rules whichever side comes first
    assert set(swapped.inconvenient) == set(both.inconvenient)
    assert replace(swapped, inconvenient=both.inconvenient) == both


def test_creditor_settings_narrow_the_country_policy_and_keep_its_weekend():
    country = ContactPolicy.from_dict({"rest_days": ["friday"], "max_attempts": 5})
    policy = country.narrowed_by({"call_open": "09:00", "max_attempts": 6})
    assert policy.rest_days == frozenset({4})
    assert (policy.call_open, policy.max_attempts) == (time(9), 5)
    assert country.narrowed_by({"rest_days": ["sunday"]}).rest_days == frozenset({4, 6})
    assert country.narrowed_by({}) == country
    with pytest.raises(ContactPolicyError):
        country.narrowed_by({"extended_close": "22:00"})


def test_from_dict_with_a_base_keeps_the_base_for_missing_settings():
    base = ContactPolicy.from_dict({"rest_days": [4], "quiet_days": 8})
    assert ContactPolicy.from_dict({"max_attempts": 2}, base=base) == replace(base, max_attempts=2)


def test_stricter_refuses_policies_with_no_common_window():
    morning = ContactPolicy.from_dict({"classic_close": "10:00", "extended_close": "10:00"})
    afternoon = ContactPolicy.from_dict({"call_open": "14:00"})
    with pytest.raises(ContactPolicyError):
        morning.stricter(afternoon)


def test_direct_construction_accepts_plain_collections():
    policy = ContactPolicy(rest_days={4}, inconvenient=[TimeRange(time(12), time(13))])  # type: ignore[arg-type]
    assert policy.rest_days == frozenset({4}) and policy.inconvenient == (TimeRange(time(12), time(13)),)
    assert hash(policy)


def test_policy_is_hashable_and_frozen():
    policy = ContactPolicy.from_dict({"max_attempts": 3})
    assert hash(policy) == hash(ContactPolicy(max_attempts=3))
    with pytest.raises(AttributeError):
        policy.max_attempts = 7  # type: ignore[misc]
