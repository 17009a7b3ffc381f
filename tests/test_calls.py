"""Logging a call: counter-calls by the pair, wrong numbers, call-backs, promises, disputes."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from agency.domain.money import Money
from agency.models import Action, CallLog, Dispute, PaymentPromise
from agency.services.audit import Actor, audit_scope
from agency.services.calls.log import CallError, CallInput, log_call
from agency.services.calls.worklist import build_worklist
from tests._workspace import WEDNESDAY, add_call, assigned_case, local, pair  # noqa: F401

DAKAR = "Africa/Dakar"


def call(session, case, agent, outcome, at, action=None, **details):
    with audit_scope(session, Actor.of_user(agent), at):
        return log_call(session, case=case, agent=agent, action=action, call=CallInput(outcome, **details))


@pytest.mark.parametrize("outcome", ["no_answer", "busy"])
def test_a_failed_call_gets_a_counter_call_by_the_other_agent_of_the_pair(session, pair, assigned_case, outcome):
    first, second, _ = pair
    case = assigned_case()
    action = add_call(session, case, WEDNESDAY - timedelta(hours=1))
    result = call(session, case, first, outcome, WEDNESDAY, action)
    assert (action.status, action.outcome, action.done_at) == ("done", outcome, WEDNESDAY)
    (counter,) = result.follow_ups
    assert counter.kind == "counter_call" and counter.assignee_id == second.id != first.id
    assert counter.due_at == WEDNESDAY + timedelta(minutes=120)  # same day, default spacing
    assert counter.step_code == action.step_code
    assert build_worklist(session, first, counter.due_at) == []
    (entry,) = build_worklist(session, second, counter.due_at)
    assert entry.reason.value == "counter_call" and entry.action_id == counter.id
    # the partner fails too: the next counter-call goes back to the first agent
    again = call(session, case, second, "no_answer", counter.due_at, counter)
    assert again.follow_ups[0].assignee_id == first.id


def test_counter_call_spacing_and_next_working_day(session, pair, assigned_case, make_creditor):
    spaced = make_creditor("SPACED", terms={"counter_call_spacing_minutes": 30})
    case = assigned_case(creditor=spaced)
    (counter,) = call(session, case, pair[0], "no_answer", local(DAKAR, 2026, 3, 4, 20, 0)).follow_ups
    assert counter.due_at == local(DAKAR, 2026, 3, 4, 20, 30)  # the evening opened by the failure
    (late,) = call(session, case, pair[0], "busy", local(DAKAR, 2026, 3, 6, 20, 45)).follow_ups
    assert late.due_at == local(DAKAR, 2026, 3, 9, 8)  # Friday evening: Monday morning


def test_reaching_the_debtor_cancels_pending_counter_calls(session, pair, assigned_case):
    case = assigned_case()
    (counter,) = call(session, case, pair[0], "no_answer", WEDNESDAY).follow_ups
    call(session, case, pair[0], "reached", WEDNESDAY + timedelta(minutes=30))
    assert (counter.status, counter.outcome) == ("cancelled", "debtor_reached")


def test_wrong_number_marks_it_and_opens_an_investigation_when_none_is_left(session, pair, assigned_case, make_debtor):
    debtor = make_debtor("Deux Numéros", phones=("+221770000010", "+221770000011"))
    case = assigned_case(debtor=debtor)
    first_phone, second_phone = debtor.phones
    assert call(session, case, pair[0], "wrong_number", WEDNESDAY, phone_id=first_phone.id).follow_ups == []
    assert first_phone.status == "wrong" and second_phone.status == "valid"
    (investigation,) = call(session, case, pair[0], "wrong_number", WEDNESDAY, phone_id=second_phone.id).follow_ups
    assert (investigation.kind, investigation.status, investigation.assignee_role) == ("investigation", "due", "investigator")
    assert call(session, case, pair[0], "wrong_number", WEDNESDAY).follow_ups == []  # only once
    with pytest.raises(CallError):
        call(session, case, pair[0], "no_answer", WEDNESDAY, phone_id=make_debtor("X").phones[0].id)


def test_callback_requested_is_a_call_at_that_time_even_in_the_quiet_period(session, pair, assigned_case):
    case = assigned_case()
    asked_for = local(DAKAR, 2026, 3, 5, 19, 15)  # tomorrow evening
    result = call(session, case, pair[0], "callback", WEDNESDAY, callback_at=asked_for)
    (callback,) = result.follow_ups
    assert (callback.kind, callback.due_at, callback.assignee_id) == ("callback", asked_for, pair[0].id)
    assert result.log.reached and result.log.callback_at == asked_for
    assert build_worklist(session, pair[0], asked_for - timedelta(minutes=1)) == []
    (entry,) = build_worklist(session, pair[0], asked_for)
    assert entry.reason.value == "promised_callback"
    with pytest.raises(CallError):
        call(session, case, pair[0], "callback", WEDNESDAY)


def test_promise_to_pay_is_recorded(session, pair, assigned_case):
    case = assigned_case()
    result = call(session, case, pair[0], "promise", WEDNESDAY, promise_date=date(2026, 3, 15),
                  promise_amount=Money(50_000, "XOF"), note="paiera le 15")
    promise = session.scalar(select(PaymentPromise).where(PaymentPromise.case_id == case.id))
    assert result.promise is promise and result.log.promise_id == promise.id
    assert (promise.status, promise.amount_minor, promise.made_by_id) == ("open", 50_000, pair[0].id)
    with pytest.raises(CallError):
        call(session, case, pair[0], "promise", WEDNESDAY, promise_date=date(2026, 3, 15))


@pytest.mark.parametrize("outcome,raised_by", [("dispute", "agent"), ("already_paid", "debtor")])
def test_dispute_and_already_paid_open_a_dispute(session, pair, assigned_case, outcome, raised_by):
    case = assigned_case()
    call(session, case, pair[0], outcome, WEDNESDAY, note="facture contestée")
    dispute = session.scalar(select(Dispute).where(Dispute.case_id == case.id))
    assert (dispute.status, dispute.raised_by) == ("open", raised_by)


def test_refuses_an_action_of_another_case_or_a_done_one(session, pair, assigned_case, make_debtor):
    case, other = assigned_case(), assigned_case(debtor=make_debtor("Autre", phones=("+221770000012",)))
    foreign = add_call(session, other, WEDNESDAY)
    done = add_call(session, case, WEDNESDAY, status="done")
    for action in (foreign, done):
        with pytest.raises(CallError):
            call(session, case, pair[0], "reached", WEDNESDAY, action)
    with pytest.raises(CallError):
        call(session, case, pair[0], "teleported", WEDNESDAY)
    assert session.scalar(select(CallLog.id)) is None


def test_every_outcome_is_counted_by_the_rules(session, pair, assigned_case):
    case = assigned_case()
    add_call(session, case, WEDNESDAY - timedelta(days=1))
    for hour in range(7):
        call(session, case, pair[0], "voicemail", WEDNESDAY.replace(day=2) + timedelta(hours=hour))
    assert build_worklist(session, pair[0], WEDNESDAY) == []  # 7 attempts in 7 days
    assert session.scalars(select(Action).where(Action.kind == "counter_call")).all() == []


def test_demo_seed_fills_the_queue(session, pair, assigned_case):
    from agency.services.demo.worklist import seed_worklist_demo
    case = assigned_case()
    with audit_scope(session, Actor.system("demo"), WEDNESDAY):
        assert seed_worklist_demo(session) == 1
        assert seed_worklist_demo(session) == 0  # idempotent
    assert [e.case for e in build_worklist(session, pair[0], WEDNESDAY)] == [case.reference]
