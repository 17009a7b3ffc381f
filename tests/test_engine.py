"""The daily pass through the real database: tick, idempotency, catch-up, claims, handovers."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from agency.domain.money import Money
from agency.domain.timezones import UTC
from agency.models import Action, AuditEvent
from agency.models.playbook import CaseEngine, CaseStep
from agency.services.audit import Actor, audit_scope
from agency.services.cases import ClaimInput, open_case
from agency.services.engine.daily import run_pass
from agency.services.actions import end_action
from agency.services.ledger import post_entry


def tick(session, at: datetime) -> dict:
    with audit_scope(session, Actor.system("tick"), at):
        return run_pass(session, now=at)


def at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def clinic(make_creditor):
    return make_creditor("CLIN", playbook="clinic-po02", terms={"approvals": {"letters": "direction"}})


def test_tick_cli_prints_counts_and_a_second_run_creates_nothing(runner, clinic, make_case, session):
    case = make_case(clinic, amounts=(3_000_000,), deposit=date(2026, 1, 5), segment="P")
    session.flush()
    first = runner.invoke(["tick", "--at", "2026-03-20T06:00:00Z", "--json"])
    assert first.exit_code == 0, first.output
    counts = json.loads(first.output)
    assert counts["actions_created"] == 1 and counts["waiting_approval"] == 1
    assert counts["skipped"] == 2  # w08 and w09 never ran: caught up as skipped, no burst
    second = json.loads(runner.invoke(["tick", "--at", "2026-03-20T06:00:00Z", "--json"]).output)
    assert (second["actions_created"], second["skipped"], second["steps_fired"]) == (0, 0, 0)
    shown = json.loads(runner.invoke(["case", "show", case.reference, "--json"]).output)
    kinds = [(a["kind"], a["template"], a["step"], a["status"], a["approval"], a["assignee_role"])
             for a in shown["actions"]]
    assert ("letter", "reminder-1", "w10-letter-1", "waiting_approval", "pending",
            "collection_officer") in kinds
    skipped = {a["step"]: a["status"] for a in shown["actions"] if a["status"] == "skipped"}
    assert skipped == {"w08-call": "skipped", "w09-call": "skipped"}
    assert all(a["due_at"] for a in shown["actions"])


def test_action_due_at_8_in_the_debtors_zone(session, clinic, make_case, make_debtor):
    debtor = make_debtor("Garant Paris", country="FR", phones=("+33612345678",))
    make_case(clinic, debtor, amounts=(100_000,), deposit=date(2026, 1, 5), segment="P")
    tick(session, at(date(2026, 3, 2)))
    action = session.scalars(select(Action).where(Action.status != "skipped")).one()
    assert action.due_at == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 08:00 Paris (winter)
    assert action.kind == "call" and action.status == "planned"


def test_each_claim_runs_its_own_clock_and_a_partial_payment_keeps_it(session, clinic, scope,
                                                                     make_debtor):
    old = ClaimInput("F-OLD", Money(1_000_000, "XOF"), deposit_date=date(2026, 1, 5))
    new = ClaimInput("F-NEW", Money(1_000_000, "XOF"), deposit_date=date(2026, 1, 12))
    case = open_case(session, creditor=clinic, debtor=make_debtor(), external_ref="X1",
                     claims=[old, new], segment="G")
    old_id, new_id = (c.id for c in case.claims)
    tick(session, at(date(2026, 3, 2)))  # F-OLD reaches 8 weeks
    call = session.scalars(select(Action).where(Action.step_code == "w08-call")).one()
    assert call.claim_ids == [old_id]
    post_entry(session, case=case, kind="payment", amount=Money(-400_000, "XOF"), claim_id=new_id)
    tick(session, at(date(2026, 3, 9)))  # both reach 9 weeks / 8 weeks: the case stands at w09
    w09 = session.scalars(select(Action).where(Action.step_code == "w09-call")).one()
    assert w09.claim_ids == [old_id]
    post_entry(session, case=case, kind="payment", amount=Money(-1_000_000, "XOF"), claim_id=old_id)
    tick(session, at(date(2026, 3, 23)))  # F-OLD paid: only F-NEW's clock (10 weeks on 23 March)
    engine = session.get(CaseEngine, case.id)
    assert engine.current_step == "w10-letter-1" and engine.waiting_step == "w10-letter-1"


def test_handover_changes_the_phase_through_the_audit_trail(session, make_creditor, make_case):
    lender = make_creditor("BANK", country="MA", currency="MAD", playbook="bank-amicable-3")
    case = make_case(lender, amounts=(100_000,), deposit=date(2026, 1, 1))
    tick(session, at(date(2026, 4, 1), 12))  # 30 days after intake (2 March): d30-personalised
    session.refresh(case)
    assert case.phase == "personalised"
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.verb == "case.changed")).one()
    assert event.changes == {"phase": ["amicable", "personalised"], "step": [None, "d30-personalised"]}
    assert event.actor_label == "system:tick"
    handover = session.scalars(select(Action).where(Action.kind == "handover")).one()
    assert handover.status == "done"


def test_paid_case_leaves_the_pass(session, clinic, make_case):
    case = make_case(clinic, amounts=(100_000,), deposit=date(2026, 1, 5), segment="P")
    tick(session, at(date(2026, 3, 1)))
    case.status = "paid"
    session.flush()
    tick(session, at(date(2026, 3, 2)))
    engine = session.get(CaseEngine, case.id)
    assert engine.state == "stopped" and engine.next_step_at is None


# The clinic's procedure walked week by week in the database, one guarantor per category,
# below and above each letter threshold, with and without a derogation; each week every
# action made is carried out (letters approved), as the domain walk records them done.
D = date(2024, 1, 15)
THRESHOLD = {"G": 10_000_000, "M": 5_000_000, "P": 2_000_000}


def db_walk(session, creditor, debtor, segment, amount, derogation):
    from agency.services.approvals import decide
    from agency.services.engine.holds import hold_case
    with audit_scope(session, Actor.system("test"), at(D)):
        case = open_case(session, creditor=creditor, debtor=debtor, external_ref=f"W-{segment}",
                         claims=[ClaimInput("F-001", Money(amount, "XOF"), deposit_date=D)],
                         segment=segment)
    approver = _direction(session)
    log = {}
    for week in range(31):
        day = D + timedelta(weeks=week)
        if derogation and week == 10:
            with audit_scope(session, Actor.system("test"), at(D + timedelta(days=66), 9)):
                hold_case(session, case, until=D + timedelta(days=105),
                          reason="garant en difficulté", approved_by="Direction")
        result = tick(session, at(day))
        rows = session.scalars(select(CaseStep).where(CaseStep.pass_id == result["pass_id"])).all()
        fired = {r.step_code: tuple(a.kind for a in session.scalars(select(Action).where(
            Action.case_id == case.id, Action.step_code == r.step_code).order_by(Action.id)))
                 for r in rows if r.status != "skipped"}
        skips = {r.step_code: r.reason for r in rows if r.status == "skipped"}
        if fired or skips:
            log[week] = (fired, skips)
        with audit_scope(session, Actor.of_user(approver), at(day, 10)):
            pending = session.scalars(select(Action.id).where(Action.approval == "pending")).all()
            decide(session, approver, list(pending), approve=True)
            for action in session.scalars(select(Action).where(Action.status.in_(("planned", "due")))):
                end_action(session, action, status="done", outcome="done")
    return log


def _direction(session):
    from agency.models import User
    from agency.services.directory import create_user
    user = session.scalar(select(User).where(User.email == "dir@walk.test"))
    if user is None:
        with audit_scope(session, Actor.system("test"), at(D)):
            user = create_user(session, email="dir@walk.test", role="direction", password="correct horse battery")
    return user


@pytest.mark.parametrize("derogation", [False, True])
@pytest.mark.parametrize("level", ["above", "below"])
@pytest.mark.parametrize("segment", ["G", "M", "P"])
def test_clinic_walk_in_the_database(session, clinic, make_debtor, segment, level, derogation):
    from tests.domain.test_schedule_clinic import CALLS, EXPECTED
    amount = THRESHOLD[segment] + 1 if level == "above" else THRESHOLD[segment] - 1
    log = db_walk(session, clinic, make_debtor(f"Garant {segment}"), segment, amount, derogation)
    expected = {**CALLS, **EXPECTED[(segment, level, "derogation" if derogation else "none")]}
    assert log == expected


def test_case_page_shows_done_waiting_and_next(session, clinic, make_case, make_user, client, login,
                                                monkeypatch):
    monkeypatch.setattr("agency.backoffice.playbooks.now_utc", lambda: at(date(2026, 3, 21)))
    case = make_case(clinic, amounts=(3_000_000,), deposit=date(2026, 1, 5), segment="P")
    tick(session, at(date(2026, 3, 20)))
    login(make_user("agent"))
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Clinique — mode opératoire de recouvrement des garants (PO02-MO0004) v1" in page
    assert "Appel à 8 semaines — Sautée (rattrapage après interruption)" in page  # skipped on catch-up
    assert "validation par" in page              # the letter waits for the direction
    assert "Lettre de relance type 2" in page    # what comes next


def test_contract_rule_adds_an_approval_the_playbook_lacks(session, make_creditor, make_case):
    clinic = make_creditor("CLIN2", playbook="clinic-po02", terms={"approvals": {"calls": "team_lead"}})
    make_case(clinic, amounts=(100_000,), deposit=date(2026, 1, 5), segment="P")
    counts = tick(session, at(date(2026, 3, 2)))
    call = session.scalars(select(Action).where(Action.kind == "call")).one()
    assert (call.approver_role, call.approval, call.status) == ("team_lead", "pending",
                                                                "waiting_approval")
    assert counts["waiting_approval"] == 1


def test_calls_follow_the_cases_agent(session, make_creditor, make_case, make_user):
    """A call is left unassigned: it goes with the case's agent, also after a reassignment."""
    agent = make_user("agent")
    clinic = make_creditor("CLIN3", playbook="clinic-po02")
    case = make_case(clinic, amounts=(100_000,), deposit=date(2026, 1, 5), segment="P")
    case.agent_id = agent.id
    lender = make_creditor("BANK2", country="MA", currency="MAD", playbook="bank-amicable-3")
    loan = make_case(lender, amounts=(100_000,), deposit=date(2026, 1, 1))
    loan.agent_id = agent.id
    session.flush()
    tick(session, at(date(2026, 3, 2)))  # the clinic's 8-week call
    tick(session, at(date(2026, 5, 1), 12))  # the bank's d60 call, by the team lead's role
    calls = session.scalars(select(Action).where(Action.kind == "call",
                                                 Action.status != "skipped")).all()
    assert {(c.case_id, c.step_code) for c in calls} == {(case.id, "w08-call"),
                                                        (loan.id, "d60-pre-litigation")}
    assert all(c.assignee_id is None for c in calls)
    handover = session.scalars(select(Action).where(Action.kind == "handover",
                                                    Action.case_id == loan.id,
                                                    Action.step_code == "d60-pre-litigation")).one()
    assert handover.assignee_id is None  # the team lead's, not the agent's
