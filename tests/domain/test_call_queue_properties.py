"""Property tests of the queue: counter-call slots and the filtered, ordered queue."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings, strategies as st

from agency.domain.call_queue import (
    CallReason, QueueCandidate, counter_call_slot, filter_callable, order_queue, priority_key,
)
from agency.domain.contact_rules import (
    CallAttempt, ContactHistory, ContactPolicy, call_verdict,
)
from agency.domain.money import Money
from agency.domain.timezones import UTC

DEBTORS = [("Africa/Dakar", "SN"), ("Africa/Casablanca", "MA"), ("Africa/Ouagadougou", "BF"),
           ("Europe/Paris", "FR")]
POLICIES = [ContactPolicy(), ContactPolicy.from_dict({"rest_days": ["friday"]}),
            ContactPolicy.from_dict({"call_open": "09:00", "classic_close": "17:00", "extended_close": "19:30",
                                     "max_attempts": 3, "inconvenient": ["12:00-14:00"]}),
            ContactPolicy.from_dict({"extended_close": "18:00", "quiet_days": 9})]
HOLIDAYS = {country: holidays.country_holidays(country, years=range(2024, 2029)) for _, country in DEBTORS}

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda t: t.replace(microsecond=0, tzinfo=UTC))


def inside_window(instant: datetime, zone: str, country: str, policy: ContactPolicy) -> bool:
    local = instant.astimezone(ZoneInfo(zone))
    return (policy.call_open <= local.time() < policy.extended_close and time(8) <= local.time() < time(21)
            and local.date() not in HOLIDAYS[country] and local.weekday() not in policy.rest_days)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(DEBTORS), st.sampled_from(POLICIES), instants, st.integers(1, 300),
       st.lists(st.tuples(st.integers(1, 6 * 24 * 60), st.booleans()), max_size=6))
def test_counter_call_slot_is_callable_and_after_the_failed_call(debtor, policy, failed_at, spacing, earlier):
    zone, country = debtor
    history = ContactHistory(attempts=tuple(CallAttempt(failed_at - timedelta(minutes=m), reached)
                                            for m, reached in earlier))
    slot = counter_call_slot(failed_at, zone, country, policy, spacing, history)
    assert slot is not None
    assert slot >= failed_at + timedelta(minutes=spacing) and slot > failed_at
    assert inside_window(slot, zone, country, policy)
    with_failure = ContactHistory(attempts=history.attempts + (CallAttempt(failed_at),))
    assert call_verdict(slot, zone, country, policy, with_failure).allowed
    earliest = failed_at + timedelta(minutes=spacing)
    if call_verdict(earliest, zone, country, policy, with_failure).allowed:
        assert slot == earliest


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DEBTORS), st.sampled_from(POLICIES), instants)
def test_counter_call_without_history_is_same_day_or_next_working_morning(debtor, policy, failed_at):
    zone, country = debtor
    tz = ZoneInfo(zone)
    slot = counter_call_slot(failed_at, zone, country, policy)
    assert slot is not None
    local_failed, local_slot = failed_at.astimezone(tz), slot.astimezone(tz)
    if local_slot.date() == local_failed.date():
        assert slot - failed_at >= timedelta(minutes=120)
        assert local_slot.time() < policy.extended_close
    else:
        assert local_slot.time() == policy.call_open or any(local_slot.time() == r.end for r in policy.inconvenient)
        day = local_failed.date() + timedelta(days=1)
        while day < local_slot.date():  # every day skipped was a day off
            assert day in HOLIDAYS[country] or day.weekday() in policy.rest_days
            day += timedelta(days=1)


@st.composite
def candidates(draw, now: datetime):
    zone, country = draw(st.sampled_from(DEBTORS))
    return QueueCandidate(
        case_id=draw(st.integers(1, 10**6)), debtor_id=draw(st.integers(1, 10)),
        reason=draw(st.sampled_from(list(CallReason))),
        due_at=now + timedelta(minutes=draw(st.integers(-3 * 24 * 60, 120))), zone=zone, country=country,
        policy=draw(st.sampled_from(POLICIES)), balance=Money(draw(st.integers(0, 10**9)), "XOF"),
        debt_age_days=draw(st.integers(0, 2000)),
        promised_date=draw(st.none() | st.dates(date(2025, 1, 1), date(2027, 12, 31))),
        last_contact_at=draw(st.none() | st.just(now - timedelta(hours=draw(st.integers(0, 2000))))),
        reached_by_colleague_today=draw(st.integers(0, 9)) == 0)


@st.composite
def queues(draw):
    now = draw(instants.map(lambda t: t.replace(hour=7 + t.hour % 14)))  # mostly daytime somewhere
    pool = draw(st.lists(candidates(now), max_size=15, unique_by=lambda c: c.case_id))
    debtor_ids = {c.debtor_id for c in pool}
    history = {debtor: ContactHistory(attempts=tuple(
        CallAttempt(now - timedelta(minutes=m), reached=r == 0) for m, r in draw(
            st.lists(st.tuples(st.integers(0, 9 * 24 * 60), st.integers(0, 5)), max_size=5))))
        for debtor in debtor_ids}
    return now, pool, history


@settings(max_examples=200, deadline=None)
@given(queues())
def test_queue_holds_only_callable_due_debtors_once_in_priority_order(case):
    now, pool, histories = case
    queue = order_queue(filter_callable(pool, now, histories), now)
    assert len({c.debtor_id for c in queue}) == len(queue)
    for c in queue:
        assert c in pool and c.due_at <= now and not c.reached_by_colleague_today
        assert inside_window(now, c.zone, c.country, c.policy)
        assert call_verdict(now, c.zone, c.country, c.policy, histories[c.debtor_id]).allowed
    keys = [priority_key(c, now) for c in queue]
    assert keys == sorted(keys)
    callable_ = [c for c in pool if c.due_at <= now and not c.reached_by_colleague_today
                 and call_verdict(now, c.zone, c.country, c.policy, histories[c.debtor_id]).allowed]
    assert {c.debtor_id for c in queue} == {c.debtor_id for c in callable_}
    for c in queue:  # each debtor is represented by its best candidate
        assert min(priority_key(o, now) for o in callable_ if o.debtor_id == c.debtor_id) == priority_key(c, now)
    callbacks_due = [c for c in queue if c.reason is CallReason.PROMISED_CALLBACK]
    assert queue[:len(callbacks_due)] == callbacks_due
