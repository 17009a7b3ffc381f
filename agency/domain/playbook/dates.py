"""Calendar arithmetic of playbooks: offsets, calendar months, held periods.

A held period is ``(first, last)``: the days a case is held, both included;
``last`` is None while it has no end (an ongoing dispute, plan or promise).
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

from agency.domain.playbook.model import Offset

Interval = tuple[date, date | None]


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_offset(day: date, offset: Offset) -> date:
    """The date ``offset`` after ``day``."""
    if offset.unit == "months":
        return add_months(day, offset.n)
    days = offset.n * 7 if offset.unit == "weeks" else offset.n
    return day + timedelta(days=days)


def merge_intervals(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Held periods sorted, with overlapping or touching ones merged."""
    merged: list[list] = []
    for first, last in sorted(intervals, key=lambda pair: pair[0]):
        if last is not None and last < first:
            continue  # an empty period holds nothing
        if merged and (merged[-1][1] is None or first <= merged[-1][1] + timedelta(days=1)):
            if merged[-1][1] is not None:
                merged[-1][1] = None if last is None else max(merged[-1][1], last)
            continue
        merged.append([first, last])
    return tuple((first, last) for first, last in merged)


def interval_at(day: date, intervals: Iterable[Interval]) -> Interval | None:
    """The held period that contains ``day``, or None."""
    for first, last in intervals:
        if first <= day and (last is None or day <= last):
            return first, last
    return None


def shift_past_holds(reference: date, due: date, intervals: Iterable[Interval]) -> date | None:
    """The due date pushed back by the held days that fall between the reference and it.

    The clock runs from the day after ``reference``; every held day before the
    (pushed) due date adds one day. None when an open-ended hold is in the way.
    Expects merged intervals (see merge_intervals).
    """
    for first, last in intervals:
        if first > due:
            break
        if last is not None and last <= reference:
            continue
        if last is None:
            return None
        due += timedelta(days=(last - max(first, reference + timedelta(days=1))).days + 1)
    return due
