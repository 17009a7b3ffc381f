"""Holds (derogations) and pauses through the real pass."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from agency.domain.timezones import UTC
from agency.models import Action, AuditEvent, Dispute, InstalmentPlan
from agency.models.playbook import CaseEngine, EngineHold
from agency.services.audit import Actor, audit_scope
from agency.services.engine.daily import run_pass
from agency.services.engine.holds import HoldError, hold_case, hold_debtor, lift_hold


def at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def tick(session, day: date) -> dict:
    with audit_scope(session, Actor.system("tick"), at(day)):
        return run_pass(session, now=at(day))


def fired(session, case):
    return [a.step_code for a in session.scalars(select(Action).where(
        Action.case_id == case.id, Action.status != "skipped").order_by(Action.id))]


@pytest.fixture
def clinic(make_creditor):
    return make_creditor("CLIN", playbook="clinic-po02")


def test_a_debtor_hold_stops_all_its_cases_then_resumes_where_they_stand(session, clinic,
                                                                        make_case, make_debtor):
    debtor = make_debtor("Garant en difficulté")
    first = make_case(clinic, debtor, amounts=(3_000_000,), deposit=date(2026, 1, 5), segment="P")
    second = make_case(clinic, debtor, amounts=(3_000_000,), deposit=date(2026, 1, 12), segment="P")
    tick(session, date(2026, 3, 2))  # first at 8 weeks
    assert fired(session, first) == ["w08-call"]
    with audit_scope(session, Actor.system("test"), at(date(2026, 3, 3), 10)):
        hold_debtor(session, debtor, until=date(2026, 3, 31), reason="délai négocié",
                    approved_by="A. Ba (direction)")
    for day in (date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 31)):
        counts = tick(session, day)
        assert counts["steps_fired"] == 0
    assert session.get(CaseEngine, first.id).state == "held"
    assert session.get(CaseEngine, first.id).next_step_at == date(2026, 4, 1)
    tick(session, date(2026, 4, 1))  # resumes at the step its clock stands at (stay)
    assert fired(session, first) == ["w08-call", "w12-letter-2"]
    assert fired(session, second) == ["w10-letter-1"]  # the debtor's other case resumed too
    skipped = {a.step_code: a.outcome for a in session.scalars(select(Action).where(
        Action.case_id == first.id, Action.status == "skipped"))}
    assert skipped == {"w09-call": "held", "w10-letter-1": "held"}
    assert session.scalars(select(AuditEvent).where(AuditEvent.verb == "debtor.held")).one()


def test_a_hold_needs_a_reason_and_an_approver(session, clinic, make_case, scope):
    case = make_case(clinic, segment="P")
    with pytest.raises(HoldError):
        hold_case(session, case, until=date(2026, 4, 1), reason="", approved_by="X")
    with pytest.raises(HoldError):
        hold_case(session, case, until=date(2026, 4, 1), reason="délai", approved_by="")


def test_lifting_a_hold_resumes_from_that_day(session, clinic, make_case):
    case = make_case(clinic, amounts=(100_000,), deposit=date(2026, 1, 5), segment="P")
    with audit_scope(session, Actor.system("test"), at(date(2026, 2, 20), 10)):
        hold = hold_case(session, case, until=date(2026, 6, 30), reason="délai",
                         approved_by="Direction")
    tick(session, date(2026, 3, 2))
    assert fired(session, case) == []
    with audit_scope(session, Actor.system("test"), at(date(2026, 3, 4), 10)):
        lift_hold(session, hold, reason="paiement reçu partiellement")
    assert case.hold_until is None
    tick(session, date(2026, 3, 4))
    assert fired(session, case) == ["w08-call"]  # resumes at the step it stands at (stay)
    tick(session, date(2026, 3, 9))
    assert fired(session, case) == ["w08-call", "w09-call"]
    assert session.get(EngineHold, hold.id).lifted_on == date(2026, 3, 4)


def test_a_dispute_or_active_plan_pauses_and_the_end_resumes(session, clinic, make_case):
    case = make_case(clinic, amounts=(100_000,), deposit=date(2026, 1, 5), segment="P")
    dispute = Dispute(case_id=case.id, reason="facture contestée", raised_by="debtor",
                      created_at=at(date(2026, 2, 25)))
    session.add(dispute)
    session.flush()
    tick(session, date(2026, 3, 2))
    assert fired(session, case) == [] and session.get(CaseEngine, case.id).state == "held"
    dispute.status, dispute.resolved_at = "resolved", at(date(2026, 3, 8), 15)
    plan = InstalmentPlan(case_id=case.id, status="active", instalments=3, total_minor=100_000,
                          currency="XOF", first_due=date(2026, 4, 1),
                          created_at=at(date(2026, 3, 8)), signed_at=at(date(2026, 3, 8)))
    session.add(plan)
    session.flush()
    tick(session, date(2026, 3, 9))
    assert fired(session, case) == []
    plan.status, plan.ended_at = "broken", at(date(2026, 3, 12), 8)
    session.flush()
    tick(session, date(2026, 3, 12))  # a broken plan resumes: the current step fires
    assert fired(session, case) == ["w09-call"]
