"""Retention periods: the limitation of the debt's jurisdiction plus a margin, from the last
closure of the debtor's cases; periods are data with their law and date, and configurable."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency.domain.retention import (LIMITATIONS, RetentionPolicy, add_years, jurisdiction_of,
                                     parse_overrides)
from agency.domain.timezones import UTC

CLOSED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("declared, country, expected", [
    (None, "FR", "fr"), (None, "MA", "ma"), (None, "SN", "ohada"), (None, "BF", "ohada"),
    (None, "CI", "ohada"), (None, "US", "*"), (None, None, "*"), ("ohada", "FR", "ohada"),
    ("nowhere", "FR", "fr"),
])
def test_jurisdiction_of_a_case(declared, country, expected):
    assert jurisdiction_of(declared, country) == expected


@pytest.mark.parametrize("jurisdiction, kind, years", [
    ("fr", "person", 2), ("fr", "company", 5), ("ohada", "company", 5), ("ohada", "person", 5),
    ("ma", "company", 5), ("*", "person", 5),
])
def test_limitation_periods(jurisdiction, kind, years):
    policy = RetentionPolicy(margin_days=30)
    assert policy.years(jurisdiction, kind, CLOSED.date()) == years
    assert policy.keep_until(CLOSED, jurisdiction, kind) == add_years(CLOSED, years) + timedelta(days=30)


def test_every_period_names_its_law_and_start():
    for rule in LIMITATIONS:
        assert rule.law and rule.since <= date(2026, 1, 1) and rule.years > 0


def test_overrides_are_read_and_bad_ones_refused():
    policy = RetentionPolicy(overrides=parse_overrides("fr:person=3, ohada=10"))
    assert policy.years("fr", "person", CLOSED.date()) == 3
    assert policy.years("fr", "company", CLOSED.date()) == 5
    assert policy.years("ohada", "company", CLOSED.date()) == 10
    assert parse_overrides("") == {}
    for bad in ("fr=two", "xx=3", "fr:robot=2", "fr"):
        with pytest.raises(ValueError, match="RETENTION_YEARS"):
            parse_overrides(bad)


def test_a_debtor_is_kept_until_its_latest_case_ends_and_while_one_is_open():
    policy = RetentionPolicy(margin_days=0)
    later = CLOSED + timedelta(days=400)
    assert policy.debtor_keep_until([(CLOSED, "fr"), (later, "fr")], "person") == add_years(later, 2)
    assert policy.debtor_keep_until([(CLOSED, "ohada"), (later, "fr")], "person") == add_years(CLOSED, 5)
    assert policy.debtor_keep_until([(CLOSED, "fr"), (None, "fr")], "person") is None
    assert policy.debtor_keep_until([], "person") is None


def test_29_february():
    assert add_years(datetime(2028, 2, 29, tzinfo=UTC), 2) == datetime(2030, 2, 28, tzinfo=UTC)


instants = st.datetimes(min_value=datetime(2009, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC))


@given(instants, st.sampled_from(["fr", "ohada", "ma", "*"]), st.sampled_from(["person", "company"]),
       st.integers(min_value=0, max_value=3650))
def test_never_kept_less_than_the_shortest_period_plus_margin(closed, jurisdiction, kind, margin):
    policy = RetentionPolicy(margin_days=margin)
    ends = policy.keep_until(closed, jurisdiction, kind)
    assert ends >= closed + timedelta(days=365 * policy.shortest_years() + margin)
    assert ends <= closed + timedelta(days=366 * 5 + margin)
