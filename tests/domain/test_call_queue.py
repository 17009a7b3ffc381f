"""The call queue: counter-call slots, filtering by the contact rules, priority order."""
import time as clock
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from agency.domain.call_queue import (
    CallReason, QueueCandidate, counter_call_slot, filter_callable, order_queue,
)
from agency.domain.contact_rules import (
    DEFAULT_POLICY, CallAttempt, ContactHistory, ContactPolicy, call_verdict,
)
from agency.domain.money import Money, MoneyError
from agency.domain.timezones import UTC

DAKAR, PARIS = "Africa/Dakar", "Europe/Paris"
NOW = datetime(2026, 3, 18, 10, tzinfo=UTC)  # a Wednesday, 10:00 in Dakar, 11:00 in Paris


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def candidate(case_id: int, **changes) -> QueueCandidate:
    base = QueueCandidate(case_id=case_id, debtor_id=case_id, reason=CallReason.DUE_STEP,
                          due_at=NOW - timedelta(hours=1), zone=DAKAR, country="SN", policy=DEFAULT_POLICY,
                          balance=Money(100_000, "XOF"), debt_age_days=30)
    return replace(base, **changes)


# --- counter-calls ---------------------------------------------------------------------

def test_counter_call_later_the_same_day():
    assert counter_call_slot(utc(2026, 3, 18, 10), DAKAR, "SN", DEFAULT_POLICY) == utc(2026, 3, 18, 12)
    assert counter_call_slot(utc(2026, 3, 18, 10), DAKAR, "SN", DEFAULT_POLICY, 45) == utc(2026, 3, 18, 10, 45)


def test_counter_call_may_use_the_evening_since_the_debtor_was_not_reached():
    assert counter_call_slot(utc(2026, 3, 18, 17, 30), DAKAR, "SN", DEFAULT_POLICY) == utc(2026, 3, 18, 19, 30)
    assert counter_call_slot(utc(2026, 3, 18, 18, 30), DAKAR, "SN", DEFAULT_POLICY, 60) == utc(2026, 3, 18, 19, 30)


def test_counter_call_past_the_window_goes_to_the_next_working_morning():
    assert counter_call_slot(utc(2026, 3, 18, 19, 30), DAKAR, "SN", DEFAULT_POLICY) == utc(2026, 3, 19, 8)
    assert counter_call_slot(utc(2026, 3, 20, 20), DAKAR, "SN", DEFAULT_POLICY) == utc(2026, 3, 23, 8)  # Fri->Mon
    assert counter_call_slot(utc(2025, 4, 3, 20), DAKAR, "SN", DEFAULT_POLICY) == utc(2025, 4, 7, 8)  # 4 April


def test_counter_call_without_evening_window():
    policy = ContactPolicy.from_dict({"extended_close": "18:00"})
    assert counter_call_slot(utc(2026, 3, 18, 17), DAKAR, "SN", policy) == utc(2026, 3, 19, 8)


def test_counter_call_respects_dst_in_paris():
    # Friday 27 March 2026 20:00 CET fails; Monday 30 March 08:00 CEST is 06:00 UTC
    assert counter_call_slot(utc(2026, 3, 27, 19), PARIS, "FR", DEFAULT_POLICY) == utc(2026, 3, 30, 6)


def test_counter_call_honours_the_caps_given_the_history():
    one_a_week = ContactPolicy.from_dict({"max_attempts": 1})
    assert counter_call_slot(utc(2026, 3, 18, 10), DAKAR, "SN", one_a_week) == utc(2026, 3, 25, 8)
    history = ContactHistory(attempts=tuple(CallAttempt(utc(2026, 3, 18, 8, i)) for i in range(6)))
    assert counter_call_slot(utc(2026, 3, 18, 10), DAKAR, "SN", DEFAULT_POLICY, history=history) == utc(
        2026, 3, 25, 8)  # the failed call is the 7th of the day
    assert counter_call_slot(utc(2026, 3, 18, 10), DAKAR, "SN", DEFAULT_POLICY,
                             history=ContactHistory(opted_out=True)) is None


def test_counter_call_does_not_count_the_failed_call_twice():
    failed = utc(2026, 3, 18, 10)
    history = ContactHistory(attempts=tuple(CallAttempt(utc(2026, 3, 18, 8, i)) for i in range(5))
                             + (CallAttempt(failed),))
    assert counter_call_slot(failed, DAKAR, "SN", DEFAULT_POLICY, history=history) == utc(2026, 3, 18, 12)


@pytest.mark.parametrize("spacing", [0, -5])
def test_counter_call_needs_a_positive_spacing(spacing):
    with pytest.raises(ValueError):
        counter_call_slot(utc(2026, 3, 18, 10), DAKAR, "SN", DEFAULT_POLICY, spacing)


# --- filtering -------------------------------------------------------------------------

def test_filter_drops_debtors_reached_by_a_colleague_today_and_calls_not_yet_due():
    kept = candidate(1)
    colleague = candidate(2, reached_by_colleague_today=True)
    later = candidate(3, due_at=NOW + timedelta(minutes=1))
    assert filter_callable([kept, colleague, later], NOW) == [kept]


def test_filter_applies_the_contact_rules_per_debtor():
    paris_early = candidate(1, zone=PARIS, country="FR", due_at=utc(2026, 3, 18, 7))
    dakar_early = candidate(2, due_at=utc(2026, 3, 18, 7))
    assert filter_callable([paris_early, dakar_early], utc(2026, 3, 18, 7, 30)) == [paris_early]
    capped = ContactHistory(attempts=tuple(CallAttempt(utc(2026, 3, 17, 9, i)) for i in range(7)))
    talked = ContactHistory(attempts=(CallAttempt(utc(2026, 3, 16, 9), reached=True),))
    failed_today = ContactHistory(attempts=(CallAttempt(utc(2026, 3, 18, 9)),))
    pool = [candidate(i) for i in range(1, 5)]
    histories = {1: capped, 2: talked, 3: failed_today}
    assert filter_callable(pool, NOW, histories) == [pool[2], pool[3]]
    assert filter_callable(pool, utc(2026, 3, 18, 19), histories) == [pool[2]]  # evening: only the failed one


def test_filter_uses_each_candidates_policy():
    strict = ContactPolicy.from_dict({"call_open": "11:00"})
    assert filter_callable([candidate(1, policy=strict), candidate(2)], NOW) == [candidate(2)]


def test_filter_takes_a_custom_rule():
    pool = [candidate(1), candidate(2)]
    assert filter_callable(pool, NOW, allows=lambda c, history: c.case_id == 2) == [pool[1]]


def test_filter_agrees_with_call_verdict():
    times = [utc(2026, 3, 18, h, 30) for h in range(6, 23)] + [utc(2026, 3, 21, 10), utc(2025, 4, 4, 10)]
    histories = {1: ContactHistory(attempts=(CallAttempt(utc(2026, 3, 18, 8, 30)),)),
                 2: ContactHistory(attempts=(CallAttempt(utc(2026, 3, 13, 9), reached=True),),
                                   callbacks=(utc(2026, 3, 18, 15),))}
    pool = [candidate(1), candidate(2), candidate(3, zone=PARIS, country="FR")]
    for now in times:
        pool_now = [replace(c, due_at=now) for c in pool]
        expected = [c for c in pool_now if call_verdict(now, c.zone, c.country, c.policy,
                                                        histories.get(c.debtor_id, ContactHistory())).allowed]
        assert filter_callable(pool_now, now, histories) == expected, now


# --- order -----------------------------------------------------------------------------

def test_call_back_whose_time_has_come_goes_first():
    callback = candidate(1, reason=CallReason.PROMISED_CALLBACK, due_at=NOW - timedelta(minutes=5),
                         balance=Money(1, "XOF"))
    future_callback = candidate(2, reason=CallReason.PROMISED_CALLBACK, due_at=NOW + timedelta(hours=1))
    big = candidate(3, balance=Money(10**9, "XOF"))
    older_callback = replace(callback, case_id=4, debtor_id=4, due_at=NOW - timedelta(minutes=50))
    assert [c.case_id for c in order_queue([big, future_callback, callback, older_callback], NOW)] == [4, 1, 3, 2]


def test_due_steps_before_promise_checks_then_promised_date_balance_age_contact():
    check = candidate(1, reason=CallReason.PROMISE_CHECK, promised_date=date(2026, 3, 1), balance=Money(10**9, "XOF"))
    counter = candidate(2, reason=CallReason.COUNTER_CALL)
    step = candidate(3, promised_date=date(2026, 3, 10))
    bigger = candidate(4, balance=Money(200_000, "XOF"))
    older_debt = candidate(5, debt_age_days=400)
    never_called = candidate(6, last_contact_at=None)
    called_long_ago = candidate(7, last_contact_at=utc(2026, 1, 1))
    called_recently = candidate(8, last_contact_at=utc(2026, 3, 17))
    order = order_queue([called_recently, check, older_debt, counter, bigger, called_long_ago, step,
                         never_called], NOW)
    assert [c.case_id for c in order] == [3, 4, 5, 2, 6, 7, 8, 1]


def test_order_does_not_depend_on_input_order():
    pool = [candidate(i, balance=Money(1000 * (i % 3), "XOF"), debt_age_days=i % 5) for i in range(1, 30)]
    assert order_queue(pool, NOW) == order_queue(list(reversed(pool)), NOW)


def test_one_entry_per_debtor_the_best_one():
    small = candidate(1, debtor_id=9, balance=Money(10, "XOF"))
    large = candidate(2, debtor_id=9, balance=Money(10**6, "XOF"))
    other = candidate(3)
    assert order_queue([small, other, large], NOW) == [large, other]


def test_mixed_currencies_need_rates():
    euros = candidate(1, balance=Money(200_00, "EUR"))  # 200 EUR is about 131,191 XOF
    francs = candidate(2, balance=Money(150_000, "XOF"))
    with pytest.raises(MoneyError, match="EUR, XOF"):
        order_queue([euros, francs], NOW)
    rates = {"EUR": 1, "XOF": Fraction(1000, 655957)}
    assert [c.case_id for c in order_queue([euros, francs], NOW, rates)] == [2, 1]
    assert [c.case_id for c in order_queue([euros, francs], NOW, {"EUR": Decimal(1), "XOF": Decimal("0.001")})] == [
        1, 2]


def test_queue_of_twenty_thousand_candidates_stays_light():
    policies = [DEFAULT_POLICY, ContactPolicy.from_dict({"max_attempts": 5})]
    zones = [(DAKAR, "SN"), ("Africa/Casablanca", "MA"), ("Africa/Ouagadougou", "BF"), (PARIS, "FR")]
    pool = [candidate(i, zone=zones[i % 4][0], country=zones[i % 4][1], policy=policies[i % 2],
                      balance=Money(i * 7919 % 1_000_000, "XOF"), debt_age_days=i % 700,
                      last_contact_at=NOW - timedelta(hours=i % 300), reached_by_colleague_today=i % 50 == 0)
            for i in range(20_000)]
    histories = {i: ContactHistory(attempts=(CallAttempt(NOW - timedelta(days=i % 9), reached=i % 7 == 0),))
                 for i in range(0, 20_000, 5)}
    best = float("inf")
    for _ in range(3):
        started = clock.perf_counter()
        queue = order_queue(filter_callable(pool, NOW, histories), NOW)
        best = min(best, clock.perf_counter() - started)
    assert 10_000 < len(queue) < 20_000
    assert best < 2.0  # about 0.08 s on an idle machine; generous for loaded CI, still catches quadratic work
