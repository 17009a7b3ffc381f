"""Property tests: random debtors in four zones and random instants across 2025-2027.

Each verdict is checked against a plain re-statement of the rules (the oracle below), and
the next allowed instant against the oracle at sampled points before it."""
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings, strategies as st

from agency.domain.contact_rules import (
    CallAttempt, ContactHistory, ContactPolicy, TimeRange, call_verdict, message_verdict,
)
from agency.domain.timezones import UTC

DEBTORS = [("Africa/Dakar", "SN"), ("Africa/Casablanca", "MA"), ("Africa/Ouagadougou", "BF"),
           ("Europe/Paris", "FR")]
START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 12, 31, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@lru_cache(maxsize=None)
def holiday_table(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=range(2024, 2029))


def local_of(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def day_off(day: date, country: str, policy: ContactPolicy) -> bool:
    return day in holiday_table(country) or day.weekday() in policy.rest_days


def callback_running(t: datetime, zone: str, history: ContactHistory) -> bool:
    """t is on the requested local day, at or after the requested time, before any later talk."""
    past = [a for a in history.attempts if a.at <= t]
    return any(cb <= t and local_of(cb, zone).date() == local_of(t, zone).date()
               and not any(a.reached and cb <= a.at for a in past) for cb in history.callbacks)


def oracle_call(t: datetime, zone: str, country: str, policy: ContactPolicy, history: ContactHistory) -> bool:
    """The rules of COMPLIANCE.md and the seed, written as plainly as possible."""
    now = local_of(t, zone)
    day, wall = now.date(), now.time()
    past = [a for a in history.attempts if a.at <= t]
    days_since = [(day - local_of(a.at, zone).date()).days for a in past]
    running = callback_running(t, zone, history)
    if history.opted_out or day_off(day, country, policy):
        return False
    if not policy.call_open <= wall < policy.extended_close:
        return False
    if wall >= policy.classic_close:
        today = [a for a, since in zip(past, days_since) if since == 0]
        if not running and not (today and not any(a.reached for a in today)):
            return False
    if any(since < policy.quiet_days for a, since in zip(past, days_since) if a.reached) and not running:
        return False
    if sum(1 for since in days_since if since < policy.attempt_period_days) >= policy.max_attempts:
        return False
    return not any(r.start <= wall < r.end for r in policy.inconvenient + history.inconvenient)


def oracle_message(t: datetime, zone: str, country: str, policy: ContactPolicy,
                   ranges: tuple[TimeRange, ...]) -> bool:
    now = local_of(t, zone)
    if not policy.messages_on_days_off and day_off(now.date(), country, policy):
        return False
    return (policy.message_open <= now.time() < policy.message_close
            and not any(r.start <= now.time() < r.end for r in policy.inconvenient + ranges))


def quarter_hours(first: int, last: int) -> st.SearchStrategy[time]:
    return st.integers(first * 4, last * 4).map(lambda q: time(q // 4, q % 4 * 15))


@st.composite
def time_ranges(draw) -> tuple[TimeRange, ...]:
    ranges = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(quarter_hours(8, 20))
        length = draw(st.integers(1, 12)) * 15
        minutes = min(start.hour * 60 + start.minute + length, 23 * 60 + 59)
        ranges.append(TimeRange(start, time(minutes // 60, minutes % 60)))
    return tuple(ranges)


@st.composite
def policies(draw) -> ContactPolicy:
    opening = draw(quarter_hours(8, 10))
    classic = draw(quarter_hours(15, 18))
    extended = draw(quarter_hours(classic.hour, 21).filter(lambda t: classic <= t <= time(21)))
    message_open = draw(quarter_hours(8, 10))
    return ContactPolicy(
        call_open=opening, classic_close=classic, extended_close=extended,
        message_open=message_open, message_close=draw(quarter_hours(17, 21)),
        rest_days=draw(st.sampled_from([frozenset({5, 6}), frozenset({4}), frozenset({4, 5}), frozenset({6}),
                                        frozenset()])),
        max_attempts=draw(st.integers(1, 7)), attempt_period_days=draw(st.integers(7, 10)),
        quiet_days=draw(st.integers(7, 10)), inconvenient=draw(time_ranges()),
        messages_on_days_off=draw(st.booleans()))


instants = st.datetimes(min_value=START.replace(tzinfo=None), max_value=END.replace(tzinfo=None)).map(
    lambda t: t.replace(microsecond=0, tzinfo=UTC))


@st.composite
def histories(draw, instant: datetime) -> ContactHistory:
    """Attempts before the instant, often the same day; call-backs around it."""
    minutes_back = st.one_of(st.integers(0, 16 * 60), st.integers(0, 12 * 24 * 60))
    attempts = tuple(CallAttempt(instant - timedelta(minutes=m), reached=draw(st.booleans()))
                     for m in draw(st.lists(minutes_back, max_size=9)))
    callbacks = tuple(instant + timedelta(minutes=m)
                      for m in draw(st.lists(st.integers(-24 * 60, 3 * 24 * 60), max_size=2)))
    return ContactHistory(attempts=attempts, callbacks=callbacks,
                          opted_out=draw(st.integers(0, 19)) == 0,
                          inconvenient=draw(time_ranges()))


@st.composite
def call_cases(draw):
    zone, country = draw(st.sampled_from(DEBTORS))
    instant = draw(instants)
    return instant, zone, country, draw(policies()), draw(histories(instant))


def probe_points(start: datetime, stop: datetime, zone: str, policy: ContactPolicy,
                 history: ContactHistory, draw_offsets: list[float]) -> list[datetime]:
    """Instants in [start, stop): each local day's window edges, call-back times, random ones."""
    points = [start, stop - timedelta(seconds=1)] + [start + (stop - start) * f for f in draw_offsets]
    points += [cb for cb in history.callbacks if start <= cb < stop]
    day = local_of(start, zone).date()
    while day <= local_of(stop, zone).date():
        for wall in (policy.call_open, policy.classic_close, policy.extended_close):
            naive = datetime.combine(day, wall)
            points += [(naive.replace(tzinfo=ZoneInfo(zone)) + d).astimezone(UTC) for d in (-MINUTE, timedelta(0))]
        points += [(datetime.combine(day, r.end).replace(tzinfo=ZoneInfo(zone)) - MINUTE).astimezone(UTC)
                   for r in policy.inconvenient + history.inconvenient]
        day += timedelta(days=1)
    return [p for p in points if start <= p < stop]


def never_allowed_again(instant: datetime, zone: str, country: str, policy: ContactPolicy,
                        history: ContactHistory) -> bool:
    """No instant of the next three weeks may be called, by the oracle: the history's effects
    (attempts, quiet days, call-backs) end within two weeks, after which every working day
    is the same, so nothing later can open. (The evening window opens only after an
    unanswered attempt that day or during a call-back: inconvenient times covering the day
    window can block a debtor for good.)"""
    horizon = instant + timedelta(days=21)
    return not any(oracle_call(point, zone, country, policy, history)
                   for point in probe_points(instant, horizon, zone, policy, history, []))


@settings(max_examples=400, deadline=None)
@given(call_cases(), st.lists(st.floats(0, 1), min_size=10, max_size=10))
def test_call_verdict_matches_the_rules_and_its_next_slot_is_the_first(case, offsets):
    instant, zone, country, policy, history = case
    verdict = call_verdict(instant, zone, country, policy, history)
    assert verdict.allowed == oracle_call(instant, zone, country, policy, history)
    if verdict.allowed:
        now = local_of(instant, zone)
        assert time(8) <= now.time() < time(21)
        assert now.date() not in holiday_table(country) and now.weekday() not in policy.rest_days
        return
    if verdict.next_allowed_at is None:
        assert history.opted_out or never_allowed_again(instant, zone, country, policy, history)
        return
    following = verdict.next_allowed_at
    assert following > instant
    assert call_verdict(following, zone, country, policy, history).allowed
    assert oracle_call(following, zone, country, policy, history)
    for point in probe_points(instant, following, zone, policy, history, offsets):
        assert not oracle_call(point, zone, country, policy, history), point


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DEBTORS), instants, policies(), time_ranges(), st.lists(st.floats(0, 1), min_size=10,
                                                                               max_size=10))
def test_message_verdict_matches_the_rules(debtor, instant, policy, ranges, offsets):
    zone, country = debtor
    verdict = message_verdict(instant, zone, country, policy, inconvenient=ranges)
    assert verdict.allowed == oracle_message(instant, zone, country, policy, ranges)
    if verdict.allowed:
        assert time(8) <= local_of(instant, zone).time() < time(21)
        return
    following = verdict.next_allowed_at
    assert following is not None and following > instant
    assert message_verdict(following, zone, country, policy, inconvenient=ranges).allowed
    for point in probe_points(instant, following, zone, policy, ContactHistory(inconvenient=ranges), offsets):
        assert not oracle_message(point, zone, country, policy, ranges), point


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(DEBTORS), instants, policies(), st.lists(st.tuples(st.integers(0, 600), st.booleans(),
                                                                          st.booleans()), min_size=25, max_size=25))
def test_calling_whenever_allowed_never_breaks_the_caps(debtor, start, policy, steps):
    """Replay a debtor called as soon as the rules allow, again and again; audit the calls made."""
    zone, country = debtor
    history, t = ContactHistory(), start
    for wait_minutes, reached, asks_call_back in steps:
        slot = call_verdict(t + timedelta(minutes=wait_minutes), zone, country, policy, history).next_allowed_at
        assert slot is not None
        callbacks = history.callbacks + ((slot + timedelta(hours=2),) if reached and asks_call_back else ())
        history = ContactHistory(attempts=history.attempts + (CallAttempt(slot, reached),), callbacks=callbacks)
        t = slot
    calls = history.attempts
    days = [local_of(a.at, zone).date() for a in calls]
    for call, day in zip(calls, days):
        wall = local_of(call.at, zone).time()
        assert policy.call_open <= wall < policy.extended_close
        assert not day_off(day, country, policy)
        assert sum(1 for d in days if 0 <= (day - d).days < policy.attempt_period_days) <= policy.max_attempts
        earlier_talks = [a for a in calls if a.reached and a.at < call.at]
        if earlier_talks and (day - local_of(earlier_talks[-1].at, zone).date()).days < policy.quiet_days:
            assert callback_running(call.at, zone, ContactHistory(
                attempts=tuple(a for a in calls if a.at < call.at), callbacks=history.callbacks))
