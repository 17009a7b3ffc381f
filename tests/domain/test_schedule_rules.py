"""The schedule's rules: several claims, payments, catch-up, holds, pauses, conditions."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from agency.domain.playbook import load_builtin, playbook_from_dict, playbook_to_dict
from agency.domain.playbook.case import CaseState, Claim, Hold, Pause, ScheduleError, StepRecord
from agency.domain.playbook.schedule import evaluate, next_due_date, overdue_balance

CLINIC = load_builtin("clinic-po02")
BANK = load_builtin("bank-amicable-3")
FUND = load_builtin("public-fund-monthly")
D = date(2024, 1, 15)


def day(n: int) -> date:
    return D + timedelta(days=n)


def invoice(cid, amount, deposited, paid=False):
    return Claim(cid, amount, deposit_date=deposited, intake_date=deposited, paid=paid)


def done(*codes_days):
    return tuple(StepRecord(code, "done", day(n)) for code, n in codes_days)


def codes(steps):
    return [step.code for step in steps]


def test_the_case_stands_at_the_most_advanced_step_and_names_the_claims_that_reached_it():
    claims = (invoice("A", 5_000_000, D), invoice("B", 4_000_000, day(3)),
              invoice("C", 3_000_000, day(21)))
    first = evaluate(CLINIC, CaseState("G", claims), day(59))
    assert first.current == "w08-call"
    assert [(due.code, due.claim_ids, due.due_on) for due in first.fire] == [
        ("w08-call", ("A", "B"), day(56))]
    # Two weeks later A is at 10 weeks (overdue 12M > 10M: the letter), B at 9+,
    # C at 6: the letter names A only; w09 was never run and is skipped.
    later = evaluate(CLINIC, CaseState("G", claims, done(("w08-call", 59))), day(70))
    assert later.current == "w10-letter-1"
    assert [(due.code, due.claim_ids) for due in later.fire] == [("w10-letter-1", ("A",))]
    assert [(s.code, s.reason) for s in later.skip] == [("w09-call", "catch_up")]


def test_an_action_is_made_once_per_case_and_step():
    claims = (invoice("A", 3_000_000, D), invoice("B", 3_000_000, day(3)))
    case = CaseState("P", claims, done(("w08-call", 56)))
    assert evaluate(CLINIC, case, day(59)).fire == ()   # B reaches 8 weeks: already done


def test_a_claim_paid_in_full_leaves_the_clock():
    records = done(("w08-call", 56))
    both = (invoice("A", 3_000_000, D), invoice("B", 3_000_000, day(3)))
    assert evaluate(CLINIC, CaseState("P", both, records), day(63)).fire[0].claim_ids == ("A",)
    a_paid = (invoice("A", 3_000_000, D, paid=True), both[1])
    result = evaluate(CLINIC, CaseState("P", a_paid, records), day(63))
    assert result.fire == ()
    assert (result.next.code, result.next.on) == ("w09-call", day(66))   # B's own clock
    assert evaluate(CLINIC, CaseState("P", a_paid, records), day(66)).fire[0].claim_ids == ("B",)
    all_paid = tuple(Claim(c.id, 0, deposit_date=c.deposit_date, intake_date=D) for c in both)
    nothing = evaluate(CLINIC, CaseState("P", all_paid, records), day(200))
    assert (nothing.current, nothing.fire, nothing.next, nothing.wake_on) == (None, (), None, None)


def test_a_partial_payment_keeps_the_clock_but_can_drop_the_balance_below_a_threshold():
    records = done(("w08-call", 56), ("w09-call", 63))
    partly = (Claim("A", 9_000_000, deposit_date=D, intake_date=D),)   # 12M, 3M paid
    result = evaluate(CLINIC, CaseState("G", partly, records, last_payment_on=day(65)), day(70))
    assert result.fire == () and result.waiting.code == "w10-letter-1"
    assert evaluate(CLINIC, CaseState("G", partly, records), day(84)).fire[0].code == "w12-visit-1"


def test_a_waiting_letter_fires_when_another_invoice_falls_due():
    records = done(("w08-call", 56), ("w09-call", 63))
    claims = (invoice("A", 8_000_000, D), invoice("B", 3_000_000, day(50)))  # B due day 80
    case = CaseState("G", claims, records)
    assert overdue_balance(claims, day(70), 30) == 8_000_000
    waiting = evaluate(CLINIC, case, day(70))
    assert waiting.waiting.code == "w10-letter-1" and waiting.fire == ()
    assert waiting.wake_on == day(81)          # the day B's balance becomes overdue
    assert evaluate(CLINIC, case, day(80)).fire == ()
    fired = evaluate(CLINIC, case, day(81))
    assert [(due.code, due.claim_ids) for due in fired.fire] == [("w10-letter-1", ("A",))]


def test_after_downtime_only_the_current_step_fires_and_the_rest_is_skipped():
    claims = (invoice("A", 12_000_000, D),)
    result = evaluate(CLINIC, CaseState("G", claims, done(("w08-call", 56))), day(7 * 13))
    assert codes(result.fire) == ["w12-visit-1"]
    assert [(s.code, s.reason) for s in result.skip] == [("w09-call", "catch_up"),
                                                         ("w10-letter-1", "catch_up")]
    imported_late = evaluate(CLINIC, CaseState("G", claims), day(7 * 15))
    assert codes(imported_late.fire) == ["w14-letter-2-visit-raf"]
    assert codes(imported_late.skip) == ["w08-call", "w09-call", "w10-letter-1", "w12-visit-1"]


def test_catch_up_all_fires_every_missed_step():
    intake = date(2024, 3, 1)
    claims = (Claim("C-03", 1_500_000, intake_date=intake),)
    result = evaluate(FUND, CaseState(None, claims, currency="MAD"), intake + timedelta(days=20))
    assert codes(result.fire) == ["d00-investigation", "d07-letter-sms", "d14-call"]
    assert result.skip == ()
    assert (result.next.code, result.next.on) == ("m01-payment-facilities", date(2024, 4, 1))


def test_a_condition_on_recent_payments_waits_and_wakes_when_it_can_hold():
    intake = date(2024, 3, 1)
    claims = (Claim("C-03", 1_500_000, intake_date=intake),)
    records = tuple(StepRecord(code, "done", intake) for code in
                    ["d00-investigation", "d07-letter-sms", "d14-call", "m01-payment-facilities"])
    case = CaseState(None, claims, records, last_payment_on=date(2024, 4, 20))
    result = evaluate(FUND, case, date(2024, 5, 1))          # 2 months, paid 11 days ago
    assert result.waiting.code == "m02-letter-2"
    assert result.wake_on == date(2024, 5, 20)               # 30 days after the payment
    assert codes(evaluate(FUND, case, date(2024, 5, 20)).fire) == ["m02-letter-2"]


def test_shift_moves_the_remaining_steps_by_the_paused_days():
    due = date(2024, 2, 1)
    claims = (Claim("L-7", 1_200_000, intake_date=date(2024, 1, 20), due_date=due),)
    promise = Pause("promise", due + timedelta(days=5), due + timedelta(days=15), broken=True)
    records: list[StepRecord] = []
    fired = {}
    for n in range(0, 70):
        today = due + timedelta(days=n)
        result = evaluate(BANK, CaseState(None, claims, tuple(records), pauses=(promise,)), today)
        assert not (result.held and result.fire)
        fired.update({d.code: (n, tuple(a.kind for a in d.actions)) for d in result.fire})
        records += [StepRecord(r.code, "done", today) for r in result.records(today)]
    assert fired == {
        "d01-sms-email": (1, ("sms", "email")), "d03-call": (3, ("call",)),
        # 10 paused days (5 to 14): 8 -> 18, 15 -> 25, 30 -> 40, 45 -> 55, 60 -> 70
        "d08-call": (18, ("call",)), "d15-letter-1": (25, ("letter", "email")),
        "d30-personalised": (40, ("handover", "call")),
        "d45-letter-2": (55, ("letter", "call", "sms")),   # the broken promise adds the SMS
    }


def test_a_kept_promise_leaves_the_conditional_action_out():
    due = date(2024, 2, 1)
    claims = (Claim("L-7", 1_200_000, intake_date=due, due_date=due),)
    records = tuple(StepRecord(c, "done", due) for c in
                    ["d01-sms-email", "d03-call", "d08-call", "d15-letter-1", "d30-personalised"])
    result = evaluate(BANK, CaseState(None, claims, records), due + timedelta(days=45))
    assert [a.kind for a in result.fire[0].actions] == ["letter", "call"]
    assert [a.kind for a in result.fire[0].omitted] == ["sms"]


def test_an_ongoing_dispute_holds_everything_with_no_wake_up():
    claims = (invoice("A", 12_000_000, D),)
    dispute = Pause("dispute", day(50))
    result = evaluate(CLINIC, CaseState("G", claims, pauses=(dispute,)), day(100))
    assert result.held and result.fire == () and result.skip == ()
    assert (result.resume_on, result.next, result.wake_on) == (None, None, None)
    settled = Pause("dispute", day(50), end=day(101))
    resumed = evaluate(CLINIC, CaseState("G", claims, pauses=(settled,)), day(101))
    assert codes(resumed.fire) == ["w14-letter-2-visit-raf"]


def test_the_step_after_a_pending_step_waits_for_its_completion():
    claims = (invoice("A", 1_000_000, D),)
    earlier = tuple(StepRecord(c, "done", day(n)) for c, n in [
        ("w08-call", 56), ("w09-call", 63), ("w14-visit", 98)]) + (
        StepRecord("w10-letter-1", "skipped", day(84)), StepRecord("w12-letter-2", "skipped", day(98)))
    fires = evaluate(CLINIC, CaseState("P", claims, earlier), day(126))
    assert codes(fires.fire) == ["w18-suspend"]
    # planned as if the suspension were done today; done later, its completion
    # recomputes the date
    assert (fires.next.code, fires.next.on, fires.wake_on) == ("p-formal-notice", day(140), day(140))
    pending = earlier + (StepRecord("w18-suspend", "pending", day(126)),)
    result = evaluate(CLINIC, CaseState("P", claims, pending), day(160))
    assert result.fire == ()
    assert (result.next.code, result.next.on, result.next.waiting_for) == (
        "p-formal-notice", None, "w18-suspend")
    assert result.wake_on is None
    completed = earlier + (StepRecord("w18-suspend", "done", day(150)),)
    assert evaluate(CLINIC, CaseState("P", claims, completed), day(163)).fire == ()
    assert codes(evaluate(CLINIC, CaseState("P", claims, completed), day(164)).fire) == [
        "p-formal-notice"]


def test_next_due_date_gives_a_claims_next_step():
    claim = invoice("A", 1, date(2024, 8, 31))
    assert next_due_date(CLINIC, "G", claim, None) == ("w08-call", date(2024, 10, 26))
    assert next_due_date(CLINIC, "G", claim, "w09-call") == ("w10-letter-1", date(2024, 11, 9))
    assert next_due_date(CLINIC, "G", claim, "w18-formal-notice-visit-do") == (
        "m06-suspend-handover", date(2025, 2, 28))       # 31 Aug + 6 months, clamped
    assert next_due_date(CLINIC, "M", claim, "w18-formal-notice") == (
        "m05-suspend-handover", date(2025, 1, 31))
    assert next_due_date(CLINIC, "G", claim, "m06-suspend-handover") is None
    assert next_due_date(CLINIC, "P", claim, "w18-suspend") is None      # waits for completion
    assert next_due_date(CLINIC, "P", claim, "w18-suspend",
                         completed={"w18-suspend": date(2025, 1, 10)}) == (
        "p-formal-notice", date(2025, 1, 24))
    assert next_due_date(CLINIC, "G", claim, "w08-call", exclude={"w09-call"}) == (
        "w10-letter-1", date(2024, 11, 9))
    with pytest.raises(ScheduleError, match="no step 'w12-letter-2' for segment 'G'"):
        next_due_date(CLINIC, "G", claim, "w12-letter-2")


def test_next_due_date_counts_from_the_later_reference_and_shifts_past_holds():
    claim = Claim("L", 1, intake_date=date(2024, 3, 10), due_date=date(2024, 3, 1))
    assert next_due_date(BANK, None, claim, None) == ("d01-sms-email", date(2024, 3, 11))
    hold = (date(2024, 3, 11), date(2024, 3, 20))
    assert next_due_date(BANK, None, claim, "d01-sms-email", intervals=[hold]) == (
        "d03-call", date(2024, 3, 23))


@pytest.mark.parametrize(("case", "message"), [
    (CaseState("X", (invoice("A", 1, D),)), "segment 'X' is not one of"),
    (CaseState("G", (invoice("A", 1, D),), currency="EUR"), "the case is in EUR"),
    (CaseState("G", (invoice("A", 1, D), invoice("A", 2, D))), "same id"),
    (CaseState("G", (Claim("A", 1, intake_date=D),)), "has no deposit_date"),
    (CaseState("G", (invoice("A", 1, D),), done(("w08-call", 1), ("w08-call", 2))), "recorded twice"),
])
def test_cases_the_playbook_cannot_run(case, message):
    with pytest.raises(ScheduleError, match=message):
        evaluate(CLINIC, case, day(60))


def test_unknown_statuses_and_pause_kinds_are_refused():
    with pytest.raises(ScheduleError):
        StepRecord("w08-call", "fired", D)
    with pytest.raises(ScheduleError):
        Pause("holiday", D)


def test_a_hold_lists_what_will_fire_on_resume_under_shift():
    due = date(2024, 2, 1)
    claims = (Claim("L-7", 1_200_000, intake_date=due, due_date=due),)
    hold = Hold(due + timedelta(days=2), due + timedelta(days=11))
    result = evaluate(BANK, CaseState(None, claims, done(), holds=(hold,)), due + timedelta(days=5))
    assert result.held
    # d01 fired before the hold would be recorded; here nothing is, so d01 is the
    # most advanced step due by the resume day (d03 moved from day 3 to day 13).
    assert (result.next.code, result.next.on) == ("d01-sms-email", due + timedelta(days=12))


def clinic_variant(**changes):
    return playbook_from_dict({**playbook_to_dict(CLINIC), **changes})


def test_catch_up_all_fires_what_downtime_missed_but_not_what_fell_in_a_hold():
    playbook = clinic_variant(catch_up="all")
    hold = Hold(day(66), day(105))
    case = CaseState("G", (invoice("A", 12_000_000, D),), done(("w08-call", 56)), holds=(hold,))
    result = evaluate(playbook, case, day(106))
    assert codes(result.fire) == ["w09-call", "w14-letter-2-visit-raf"]
    assert [(s.code, s.reason) for s in result.skip] == [("w10-letter-1", "held"),
                                                         ("w12-visit-1", "held")]


def test_shift_instead_of_stay_moves_the_clinic_steps_past_the_derogation():
    playbook = clinic_variant(resume="shift")
    hold = Hold(day(66), day(105))                    # 40 days
    case = CaseState("G", (invoice("A", 12_000_000, D),), done(("w08-call", 56), ("w09-call", 63)),
                     holds=(hold,))
    resumed = evaluate(playbook, case, day(106))
    assert resumed.fire == () and resumed.skip == ()
    assert (resumed.next.code, resumed.next.on) == ("w10-letter-1", day(110))
    assert codes(evaluate(playbook, case, day(110)).fire) == ["w10-letter-1"]
