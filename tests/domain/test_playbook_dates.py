"""Calendar arithmetic: months clamped to the month's end, held periods."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency.domain.playbook.dates import (
    add_months, add_offset, interval_at, merge_intervals, shift_past_holds,
)
from agency.domain.playbook.model import Offset


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),   # leap year
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 8, 31), 6, date(2025, 2, 28)),
    (date(2024, 3, 31), 1, date(2024, 4, 30)),
    (date(2024, 1, 15), 6, date(2024, 7, 15)),
    (date(2024, 11, 30), 3, date(2025, 2, 28)),
    (date(2024, 12, 31), 12, date(2025, 12, 31)),
])
def test_calendar_months_are_clamped_to_the_last_day(start, months, expected):
    assert add_months(start, months) == expected


def test_offsets_in_days_weeks_and_months():
    start = date(2024, 1, 15)
    assert add_offset(start, Offset(8, "weeks")) == date(2024, 3, 11)
    assert add_offset(start, Offset(15, "days")) == date(2024, 1, 30)
    assert add_offset(start, Offset(0, "days")) == start
    assert add_offset(start, Offset(5, "months")) == date(2024, 6, 15)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 240))
def test_a_month_offset_lands_in_the_right_month_never_past_the_day(start, months):
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    assert result.day == start.day or (result + timedelta(days=1)).day == 1


def test_held_periods_are_merged_when_they_overlap_or_touch():
    d = date(2024, 5, 1)
    periods = [(d + timedelta(10), d + timedelta(12)), (d, d + timedelta(3)),
               (d + timedelta(4), d + timedelta(5)), (d + timedelta(11), None),
               (d + timedelta(40), d + timedelta(41)), (d + timedelta(50), d + timedelta(49))]
    assert merge_intervals(periods) == ((d, d + timedelta(5)), (d + timedelta(10), None))
    assert interval_at(d + timedelta(7), merge_intervals(periods)) is None
    assert interval_at(d + timedelta(300), merge_intervals(periods)) == (d + timedelta(10), None)


def test_shift_counts_only_the_held_days_between_the_reference_and_the_due_date():
    ref = date(2024, 1, 1)
    due = ref + timedelta(days=20)
    hold = (ref + timedelta(5), ref + timedelta(14))           # 10 days
    assert shift_past_holds(ref, due, [hold]) == due + timedelta(10)
    before = (ref - timedelta(10), ref - timedelta(1))
    assert shift_past_holds(ref, due, [before]) == due           # over before the clock ran
    straddling = (ref - timedelta(3), ref + timedelta(2))        # 2 held days after ref
    assert shift_past_holds(ref, due, [straddling]) == due + timedelta(2)
    later = (due + timedelta(1), due + timedelta(5))
    assert shift_past_holds(ref, due, [later]) == due            # starts after the due date
    on_due = (due, due + timedelta(2))
    assert shift_past_holds(ref, due, [on_due]) == due + timedelta(3)
    assert shift_past_holds(ref, due, [(ref + timedelta(3), None)]) is None


def test_a_shifted_date_pushed_into_a_later_hold_is_pushed_again():
    ref = date(2024, 1, 1)
    first = (ref + timedelta(5), ref + timedelta(9))    # 5 days: 20 -> 25
    second = (ref + timedelta(24), ref + timedelta(26))  # 25 is held: 3 more days
    assert shift_past_holds(ref, ref + timedelta(20), [first, second]) == ref + timedelta(28)
