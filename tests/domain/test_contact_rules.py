"""Call and message verdicts at chosen instants: window, evening, days off, DST, caps."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from agency.domain.contact_rules import (
    DEFAULT_POLICY, CallAttempt, CallGate, ContactHistory, ContactPolicy, Reason, TimeRange,
    call_verdict, is_holiday, is_working_day, local_instant, message_verdict,
)
from agency.domain.timezones import UTC

DAKAR, CASABLANCA, PARIS = "Africa/Dakar", "Africa/Casablanca", "Europe/Paris"
FRIDAY_WEEKEND = ContactPolicy.from_dict({"rest_days": ["friday"]})


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def local(zone: str, *fields: int) -> datetime:
    """The UTC instant of a local wall time that exists and is not repeated."""
    return datetime(*fields, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def offset_changes(zone: str, year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """The zone's UTC offset changes in a year, found by scanning zoneinfo hour by hour."""
    tz, changes = ZoneInfo(zone), []
    t = utc(year, 1, 1)
    before = t.astimezone(tz).utcoffset()
    while t.year == year:
        t += timedelta(hours=1)
        after = t.astimezone(tz).utcoffset()
        if after != before:
            changes.append((t, before, after))
        before = after
    return changes


def failed(at: datetime) -> CallAttempt:
    return CallAttempt(at, reached=False)


def talked(at: datetime) -> CallAttempt:
    return CallAttempt(at, reached=True)


# --- the window ----------------------------------------------------------------------

@pytest.mark.parametrize("wall, allowed, reason", [
    (time(7, 59, 59), False, Reason.OUTSIDE_WINDOW),
    (time(8), True, Reason.ALLOWED),
    (time(17, 59, 59), True, Reason.ALLOWED),
    (time(18), False, Reason.EXTENDED_WINDOW_NOT_ELIGIBLE),
    (time(20, 59), False, Reason.EXTENDED_WINDOW_NOT_ELIGIBLE),
    (time(21), False, Reason.OUTSIDE_WINDOW),
    (time(23, 30), False, Reason.OUTSIDE_WINDOW),
])
def test_classic_window_on_a_working_day(wall, allowed, reason):
    verdict = call_verdict(datetime.combine(date(2026, 3, 18), wall, UTC), DAKAR, "SN")
    assert (verdict.allowed, verdict.reason) == (allowed, reason)


def test_before_opening_the_next_slot_is_the_same_morning():
    verdict = call_verdict(utc(2026, 3, 18, 6, 30), DAKAR, "SN")
    assert verdict.next_allowed_at == utc(2026, 3, 18, 8)


def test_after_closing_the_next_slot_is_the_next_morning():
    assert call_verdict(utc(2026, 3, 18, 21, 0), DAKAR, "SN").next_allowed_at == utc(2026, 3, 19, 8)
    assert call_verdict(utc(2026, 3, 18, 18, 0), DAKAR, "SN").next_allowed_at == utc(2026, 3, 19, 8)


def test_allowed_verdict_says_now():
    verdict = call_verdict(utc(2026, 3, 18, 10), DAKAR, "SN")
    assert verdict.next_allowed_at == utc(2026, 3, 18, 10)
    assert verdict.reasons == ()
    assert verdict.explanation == "Contact possible maintenant."


def test_naive_instants_are_taken_as_utc():
    assert call_verdict(datetime(2026, 3, 18, 7, 30), DAKAR, "SN").next_allowed_at == utc(2026, 3, 18, 8)


def test_the_window_is_the_debtors_local_time():
    # 07:30 UTC is 08:30 in Paris (winter) but 07:30 in Dakar
    assert call_verdict(utc(2026, 3, 18, 7, 30), PARIS, "FR").allowed
    assert not call_verdict(utc(2026, 3, 18, 7, 30), DAKAR, "SN").allowed


# --- the evening (extended) window ------------------------------------------------------

def test_evening_is_open_after_an_unsuccessful_call_that_day():
    history = ContactHistory(attempts=(failed(utc(2026, 3, 18, 10)),))
    assert call_verdict(utc(2026, 3, 18, 19), DAKAR, "SN", history=history).allowed
    assert not call_verdict(utc(2026, 3, 18, 21), DAKAR, "SN", history=history).allowed


def test_evening_is_closed_without_an_attempt_that_day():
    yesterday = ContactHistory(attempts=(failed(utc(2026, 3, 17, 10)),))
    verdict = call_verdict(utc(2026, 3, 18, 19), DAKAR, "SN", history=yesterday)
    assert verdict.reason == Reason.EXTENDED_WINDOW_NOT_ELIGIBLE
    assert verdict.next_allowed_at == utc(2026, 3, 19, 8)


def test_evening_is_closed_once_the_debtor_was_reached_that_day():
    history = ContactHistory(attempts=(failed(utc(2026, 3, 18, 9)), talked(utc(2026, 3, 18, 11))))
    verdict = call_verdict(utc(2026, 3, 18, 19), DAKAR, "SN", history=history)
    assert not verdict.allowed
    assert Reason.EXTENDED_WINDOW_NOT_ELIGIBLE in verdict.reasons


def test_local_day_decides_the_evening_in_paris():
    # 10:00 UTC on 18 March is that day in Paris; the attempt at 23:30 UTC on the 17th is the 18th in Paris
    history = ContactHistory(attempts=(failed(utc(2026, 3, 17, 23, 30)),))
    assert call_verdict(local(PARIS, 2026, 3, 18, 19), PARIS, "FR", history=history).allowed


def test_attempts_after_the_instant_are_ignored():
    later = ContactHistory(attempts=(failed(utc(2026, 3, 18, 19, 30)),))
    assert not call_verdict(utc(2026, 3, 18, 19), DAKAR, "SN", history=later).allowed


def test_policy_without_evening_window():
    policy = ContactPolicy.from_dict({"extended_close": "18:00"})
    history = ContactHistory(attempts=(failed(utc(2026, 3, 18, 10)),))
    verdict = call_verdict(utc(2026, 3, 18, 18, 30), DAKAR, "SN", policy, history)
    assert verdict.reason == Reason.OUTSIDE_WINDOW


# --- rest days and holidays ------------------------------------------------------------

def test_weekend_moves_to_monday():
    verdict = call_verdict(utc(2026, 3, 21, 10), DAKAR, "SN")
    assert verdict.reason == Reason.REST_DAY
    assert verdict.next_allowed_at == utc(2026, 3, 23, 8)


def test_a_country_resting_on_friday():
    assert call_verdict(utc(2026, 3, 21, 10), DAKAR, "SN", FRIDAY_WEEKEND).allowed
    verdict = call_verdict(utc(2026, 3, 13, 10), DAKAR, "SN", FRIDAY_WEEKEND)
    assert verdict.reason == Reason.REST_DAY
    assert verdict.next_allowed_at == utc(2026, 3, 14, 8)


def test_senegal_independence_day():
    assert is_holiday(date(2025, 4, 4), "SN") and date(2025, 4, 4).weekday() == 4
    verdict = call_verdict(utc(2025, 4, 4, 10), DAKAR, "SN")
    assert verdict.reason == Reason.HOLIDAY
    assert verdict.next_allowed_at == utc(2025, 4, 7, 8)  # Monday
    assert "Jour férié" in verdict.explanation and "lundi 7 avril 2025 à 08:00" in verdict.explanation


def test_morocco_throne_day():
    assert is_holiday(date(2026, 7, 30), "MA")
    verdict = call_verdict(local(CASABLANCA, 2026, 7, 30, 11), CASABLANCA, "MA")
    assert verdict.reason == Reason.HOLIDAY
    assert verdict.next_allowed_at == local(CASABLANCA, 2026, 7, 31, 8) == utc(2026, 7, 31, 7)


def test_france_national_day():
    verdict = call_verdict(local(PARIS, 2026, 7, 14, 11), PARIS, "FR")
    assert verdict.reason == Reason.HOLIDAY
    assert verdict.next_allowed_at == utc(2026, 7, 15, 6)  # 08:00 summer time


def test_holiday_falling_on_a_rest_day_gives_both_reasons():
    verdict = call_verdict(utc(2026, 4, 4, 10), DAKAR, "SN")  # a Saturday in 2026
    assert verdict.reasons == (Reason.HOLIDAY, Reason.REST_DAY)


def test_holidays_follow_the_country_not_the_zone():
    assert call_verdict(utc(2025, 4, 4, 10), DAKAR, "FR").allowed
    assert not is_working_day(date(2025, 4, 4), "SN")
    assert is_working_day(date(2025, 4, 4), "FR")


def test_unknown_country_has_no_holidays_but_keeps_rest_days():
    assert call_verdict(utc(2025, 4, 4, 10), DAKAR, None).allowed
    assert call_verdict(utc(2025, 4, 4, 10), DAKAR, "XX").allowed
    assert call_verdict(utc(2025, 4, 5, 10), DAKAR, "XX").reason == Reason.REST_DAY


# --- summer time and Ramadan time ------------------------------------------------------

def test_paris_spring_forward_weekend():
    # Sunday 29 March 2026 clocks go 02:00 -> 03:00; Saturday's noon leads to Monday 08:00 CEST
    assert call_verdict(utc(2026, 3, 28, 11), PARIS, "FR").next_allowed_at == utc(2026, 3, 30, 6)
    # with a Friday weekend, Sunday is worked: 08:00 is 07:00 UTC on Saturday, 06:00 UTC on Sunday
    assert call_verdict(utc(2026, 3, 28, 6, 30), PARIS, "FR", FRIDAY_WEEKEND).next_allowed_at == utc(2026, 3, 28, 7)
    assert call_verdict(utc(2026, 3, 29, 6, 30), PARIS, "FR", FRIDAY_WEEKEND).allowed
    assert call_verdict(utc(2026, 3, 29, 1, 30), PARIS, "FR", FRIDAY_WEEKEND).next_allowed_at == utc(2026, 3, 29, 6)


def test_paris_fall_back_weekend():
    # Sunday 25 October 2026 clocks go 03:00 -> 02:00
    assert call_verdict(utc(2026, 10, 24, 20, 30), PARIS, "FR").next_allowed_at == utc(2026, 10, 26, 7)
    history = ContactHistory(attempts=(failed(utc(2026, 10, 23, 9)), failed(utc(2026, 10, 26, 9))))
    assert not call_verdict(utc(2026, 10, 23, 19, 30), PARIS, "FR", history=history).allowed  # 21:30 CEST
    assert call_verdict(utc(2026, 10, 26, 19, 30), PARIS, "FR", history=history).allowed  # 20:30 CET
    sunday = call_verdict(utc(2026, 10, 25, 0, 30), PARIS, "FR", FRIDAY_WEEKEND)  # 02:30 CEST, repeated hour
    assert sunday.next_allowed_at == utc(2026, 10, 25, 7)


def test_casablanca_ramadan_switch_2026():
    changes = offset_changes(CASABLANCA, 2026)
    assert [(before, after) for _, before, after in changes] == [
        (timedelta(hours=1), timedelta(0)), (timedelta(0), timedelta(hours=1))]
    back, forward = changes[0][0].date(), changes[1][0].date()
    monday_after_back = back + timedelta(days=(7 - back.weekday()) % 7 or 7)
    friday_before_back = back - timedelta(days=(back.weekday() - 4) % 7)
    # 08:00 local is 07:00 UTC before the switch, 08:00 UTC during Ramadan time
    assert call_verdict(datetime.combine(friday_before_back, time(7, 30), UTC), CASABLANCA, "MA").allowed
    during = call_verdict(datetime.combine(monday_after_back, time(7, 30), UTC), CASABLANCA, "MA")
    assert during.reason == Reason.OUTSIDE_WINDOW
    assert during.next_allowed_at == datetime.combine(monday_after_back, time(8), UTC)
    saturday = friday_before_back + timedelta(days=1)
    weekend = call_verdict(datetime.combine(saturday, time(12), UTC), CASABLANCA, "MA")
    assert weekend.next_allowed_at == datetime.combine(monday_after_back, time(8), UTC)
    # at the end of Ramadan time: 21:00 UTC on the Thursday is 21:00 local; Eid (estimated
    # 20-21 March 2026), the weekend and the switch back to UTC+1 lead to Monday 08:00 = 07:00 UTC
    assert forward == date(2026, 3, 22) and is_holiday(date(2026, 3, 20), "MA")
    verdict = call_verdict(utc(2026, 3, 19, 21), CASABLANCA, "MA")
    assert verdict.reason == Reason.OUTSIDE_WINDOW
    assert verdict.next_allowed_at == utc(2026, 3, 23, 7)


def test_local_instant_in_a_gap_is_the_jump_and_in_a_repeat_the_first():
    paris = ZoneInfo(PARIS)
    assert local_instant(date(2026, 3, 29), time(2, 30), paris) == utc(2026, 3, 29, 1)
    assert local_instant(date(2026, 10, 25), time(2, 30), paris) == utc(2026, 10, 25, 0, 30)
    assert local_instant(date(2026, 3, 30), time(8), paris) == utc(2026, 3, 30, 6)


def test_a_window_opening_inside_a_dst_gap_opens_at_the_jump():
    # America/Havana springs forward at midnight (00:00 -> 01:00) on 8 March 2026
    havana = ZoneInfo("America/Havana")
    assert datetime(2026, 3, 8, 0, 30, tzinfo=havana).astimezone(UTC).astimezone(havana).hour == 1
    assert local_instant(date(2026, 3, 8), time(0), havana) == utc(2026, 3, 8, 5)
    saturday_night = call_verdict(utc(2026, 3, 8, 2), "America/Havana", None, FRIDAY_WEEKEND)
    assert saturday_night.next_allowed_at == local("America/Havana", 2026, 3, 8, 8)


# --- caps ------------------------------------------------------------------------------

def daily_attempts(first: date, count: int, hour: int = 9) -> tuple[CallAttempt, ...]:
    return tuple(failed(datetime.combine(first + timedelta(days=i), time(hour), UTC)) for i in range(count))


def test_seven_attempts_in_seven_days_then_wait_for_the_oldest_to_leave():
    # one failed call a day from Thursday 5 to Wednesday 11 March 2026 (a Friday weekend keeps all days working)
    history = ContactHistory(attempts=daily_attempts(date(2026, 3, 5), 7))
    verdict = call_verdict(utc(2026, 3, 11, 15), DAKAR, "SN", FRIDAY_WEEKEND, history)
    assert verdict.reason == Reason.ATTEMPT_CAP
    assert verdict.next_allowed_at == utc(2026, 3, 12, 8)  # day 8: the 5 March call left the period
    six = ContactHistory(attempts=daily_attempts(date(2026, 3, 5), 6))
    assert call_verdict(utc(2026, 3, 11, 15), DAKAR, "SN", FRIDAY_WEEKEND, six).allowed


def test_attempts_on_one_day_block_for_seven_days():
    history = ContactHistory(attempts=tuple(failed(utc(2026, 3, 16, 8 + i)) for i in range(7)))
    verdict = call_verdict(utc(2026, 3, 16, 16), DAKAR, "SN", history=history)
    assert verdict.reason == Reason.ATTEMPT_CAP
    assert verdict.next_allowed_at == utc(2026, 3, 23, 8)
    assert not call_verdict(utc(2026, 3, 20, 10), DAKAR, "SN", history=history).allowed
    assert call_verdict(utc(2026, 3, 23, 8), DAKAR, "SN", history=history).allowed


def test_lower_cap_from_policy():
    policy = ContactPolicy.from_dict({"max_attempts": 2})
    history = ContactHistory(attempts=(failed(utc(2026, 3, 16, 9)), failed(utc(2026, 3, 18, 9))))
    verdict = call_verdict(utc(2026, 3, 18, 12), DAKAR, "SN", policy, history)
    assert verdict.reason == Reason.ATTEMPT_CAP
    assert verdict.next_allowed_at == utc(2026, 3, 23, 8)  # 16 + 7 = Monday 23


def test_quiet_week_after_a_conversation_counts_its_day_as_day_one():
    history = ContactHistory(attempts=(talked(utc(2026, 3, 2, 10)),))  # Monday
    verdict = call_verdict(utc(2026, 3, 2, 11), DAKAR, "SN", history=history)
    assert verdict.reason == Reason.QUIET_AFTER_CONVERSATION
    assert verdict.next_allowed_at == utc(2026, 3, 9, 8)  # day 8
    assert not call_verdict(utc(2026, 3, 8, 20, 59), DAKAR, "SN", FRIDAY_WEEKEND, history).allowed  # day 7
    assert call_verdict(utc(2026, 3, 9, 8), DAKAR, "SN", history=history).allowed


def test_quiet_week_then_a_holiday():
    history = ContactHistory(attempts=(talked(utc(2025, 3, 28, 10)),))  # Friday; 4 April is day 8
    verdict = call_verdict(utc(2025, 3, 31, 10), DAKAR, "SN", history=history)
    assert verdict.reasons == (Reason.QUIET_AFTER_CONVERSATION, Reason.HOLIDAY)  # 31 March 2025: Eid
    assert verdict.next_allowed_at == utc(2025, 4, 7, 8)


def test_longer_quiet_period_from_policy():
    policy = ContactPolicy.from_dict({"quiet_days": 10})
    history = ContactHistory(attempts=(talked(utc(2026, 3, 2, 10)),))
    assert call_verdict(utc(2026, 3, 9, 10), DAKAR, "SN", policy, history).reason == Reason.QUIET_AFTER_CONVERSATION
    assert call_verdict(utc(2026, 3, 9, 10), DAKAR, "SN", policy, history).next_allowed_at == utc(2026, 3, 12, 8)


def test_requested_call_back_overrides_the_quiet_period_that_day():
    talk, callback = utc(2026, 3, 2, 10), utc(2026, 3, 2, 15)
    history = ContactHistory(attempts=(talked(talk),), callbacks=(callback,))
    before = call_verdict(utc(2026, 3, 2, 14), DAKAR, "SN", history=history)
    assert before.reason == Reason.QUIET_AFTER_CONVERSATION
    assert before.next_allowed_at == callback
    assert call_verdict(callback, DAKAR, "SN", history=history).allowed
    assert call_verdict(utc(2026, 3, 2, 17, 59), DAKAR, "SN", history=history).allowed
    assert not call_verdict(utc(2026, 3, 3, 10), DAKAR, "SN", history=history).allowed  # only that day


def test_call_back_is_used_up_by_the_next_conversation():
    history = ContactHistory(attempts=(talked(utc(2026, 3, 2, 10)), talked(utc(2026, 3, 2, 15, 5))),
                             callbacks=(utc(2026, 3, 2, 15),))
    verdict = call_verdict(utc(2026, 3, 2, 16), DAKAR, "SN", history=history)
    assert verdict.reason == Reason.QUIET_AFTER_CONVERSATION
    assert verdict.next_allowed_at == utc(2026, 3, 9, 8)


def test_call_back_survives_a_failed_call_back():
    history = ContactHistory(attempts=(talked(utc(2026, 3, 2, 10)), failed(utc(2026, 3, 2, 15, 5))),
                             callbacks=(utc(2026, 3, 2, 15),))
    assert call_verdict(utc(2026, 3, 2, 16), DAKAR, "SN", history=history).allowed


def test_call_back_in_the_evening_opens_the_evening():
    history = ContactHistory(attempts=(talked(utc(2026, 3, 2, 10)),), callbacks=(utc(2026, 3, 2, 19),))
    assert call_verdict(utc(2026, 3, 2, 19, 30), DAKAR, "SN", history=history).allowed
    assert call_verdict(utc(2026, 3, 2, 18, 30), DAKAR, "SN", history=history).next_allowed_at == utc(2026, 3, 2, 19)
    no_talk = ContactHistory(callbacks=(utc(2026, 3, 4, 19),))
    assert call_verdict(utc(2026, 3, 4, 19), DAKAR, "SN", history=no_talk).allowed


def test_call_back_does_not_lift_the_attempt_cap_nor_the_window():
    attempts = tuple(failed(utc(2026, 3, 2, 8 + i)) for i in range(7))
    history = ContactHistory(attempts=attempts, callbacks=(utc(2026, 3, 2, 16),))
    assert call_verdict(utc(2026, 3, 2, 16), DAKAR, "SN", history=history).reason == Reason.ATTEMPT_CAP
    late = ContactHistory(callbacks=(utc(2026, 3, 2, 22),))
    assert not call_verdict(utc(2026, 3, 2, 22), DAKAR, "SN", history=late).allowed


# --- inconvenient times and opt-out ----------------------------------------------------

def test_inconvenient_times_of_debtor_and_creditor():
    creditor = ContactPolicy.from_dict({"inconvenient": ["12:00-14:00"]})
    debtor = ContactHistory(inconvenient=(TimeRange(time(14), time(15)),))
    verdict = call_verdict(utc(2026, 3, 18, 12, 30), DAKAR, "SN", creditor, debtor)
    assert verdict.reason == Reason.INCONVENIENT_TIME
    assert verdict.next_allowed_at == utc(2026, 3, 18, 15)
    assert call_verdict(utc(2026, 3, 18, 15), DAKAR, "SN", creditor, debtor).allowed


def test_opted_out_debtor_is_never_called():
    verdict = call_verdict(utc(2026, 3, 18, 10), DAKAR, "SN", history=ContactHistory(opted_out=True))
    assert verdict.reason == Reason.OPTED_OUT and verdict.next_allowed_at is None
    assert "Aucun créneau possible" in verdict.explanation


def test_reasons_are_listed_in_a_stable_order():
    history = ContactHistory(attempts=(talked(utc(2026, 3, 21, 9)),), opted_out=True)
    verdict = call_verdict(utc(2026, 3, 21, 22), DAKAR, "SN", history=history)
    assert verdict.reasons == (Reason.OPTED_OUT, Reason.QUIET_AFTER_CONVERSATION, Reason.REST_DAY,
                               Reason.OUTSIDE_WINDOW)


def test_explanation_states_the_next_slot_in_local_time():
    verdict = call_verdict(utc(2026, 3, 28, 11), PARIS, "FR")
    assert verdict.explanation == ("Jour de repos dans le pays du débiteur. Prochain créneau possible : "
                                   "lundi 30 mars 2026 à 08:00 (heure locale du débiteur).")


# --- messages --------------------------------------------------------------------------

def test_messages_until_21_on_working_days():
    assert message_verdict(utc(2026, 3, 18, 20, 30), DAKAR, "SN").allowed
    late = message_verdict(utc(2026, 3, 18, 21), DAKAR, "SN")
    assert late.reason == Reason.OUTSIDE_WINDOW and late.next_allowed_at == utc(2026, 3, 19, 8)
    assert message_verdict(utc(2026, 3, 21, 10), DAKAR, "SN").reason == Reason.REST_DAY
    assert message_verdict(utc(2025, 4, 4, 10), DAKAR, "SN").reason == Reason.HOLIDAY


def test_messages_on_days_off_when_the_policy_allows():
    policy = ContactPolicy.from_dict({"messages_on_days_off": True, "message_close": "20:00"})
    assert message_verdict(utc(2026, 3, 21, 10), DAKAR, "SN", policy).allowed
    assert message_verdict(utc(2026, 3, 21, 20), DAKAR, "SN", policy).next_allowed_at == utc(2026, 3, 22, 8)


def test_message_opt_out_and_inconvenient_times():
    assert message_verdict(utc(2026, 3, 18, 10), DAKAR, "SN", opted_out=True).next_allowed_at is None
    verdict = message_verdict(utc(2026, 3, 18, 10), DAKAR, "SN",
                              inconvenient=(TimeRange(time(9), time(11)),))
    assert verdict.reason == Reason.INCONVENIENT_TIME and verdict.next_allowed_at == utc(2026, 3, 18, 11)


def test_messages_across_the_paris_fall_back():
    verdict = message_verdict(utc(2026, 10, 23, 19, 30), PARIS, "FR")  # Friday 21:30 CEST
    assert verdict.next_allowed_at == utc(2026, 10, 26, 7)  # Monday 08:00 CET


# --- the gate used by the queue --------------------------------------------------------

@pytest.mark.parametrize("instant", [utc(2026, 3, 18, 10), utc(2026, 3, 18, 19), utc(2026, 3, 18, 22),
                                     utc(2026, 3, 21, 10)])
def test_gate_agrees_with_the_verdict(instant):
    gate = CallGate(instant)
    histories = [None, ContactHistory(), ContactHistory(attempts=(failed(utc(2026, 3, 18, 9)),)),
                 ContactHistory(attempts=(talked(utc(2026, 3, 17, 9)),)), ContactHistory(opted_out=True)]
    for history in histories * 2:  # the second round reads the memo
        expected = call_verdict(instant, DAKAR, "SN", DEFAULT_POLICY, history or ContactHistory()).allowed
        assert gate.allows(DAKAR, "SN", DEFAULT_POLICY, history) is expected
