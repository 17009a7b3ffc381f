"""Assignment: team by phase, agent by rule; bulk reassignment; absence."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from agency.models import Action, AuditEvent, Team
from agency.services.calls.assignment import AssignmentError, assign_cases, bulk_reassign, set_absence, set_rule
from tests._workspace import WEDNESDAY, add_call, assigned_case, pair  # noqa: F401


def amicable(session):
    return session.scalar(select(Team).where(Team.code == "amicable"))


def test_round_robin_inside_the_team_skipping_absent_agents(session, scope, pair, make_case, make_user):
    first, second, _ = pair
    third = make_user("agent", team="amicable", name="Karim")
    cases = [make_case() for _ in range(4)]
    chosen = assign_cases(session, cases)
    assert [chosen[c.id] for c in cases] == [first.id, second.id, third.id, first.id]
    assert all(c.team_id == amicable(session).id for c in cases)
    set_absence(session, second, date(2026, 3, 5))
    more = [make_case() for _ in range(2)]
    assert [assign_cases(session, [c])[c.id] for c in more] == [third.id, first.id]
    judicial = make_case()
    judicial.phase = "judicial"
    assert assign_cases(session, [judicial])[judicial.id] is None  # nobody in that team
    assert session.scalar(select(Team.code).where(Team.id == judicial.team_id)) == "judicial"


def test_balanced_by_count_and_by_balance(session, scope, pair, make_case, assigned_case):
    first, second, _ = pair
    set_rule(session, team=amicable(session), strategy="by_count")
    assigned_case(first), assigned_case(first)
    new = [make_case() for _ in range(3)]
    assert [assign_cases(session, [c])[c.id] for c in new] == [second.id, second.id, first.id]
    set_rule(session, team=amicable(session), strategy="by_balance")
    assigned_case(first, amounts=(10_000_000,))
    fresh = make_case(amounts=(1_000,))
    assert assign_cases(session, [fresh])[fresh.id] == second.id


def test_fixed_agent_for_one_creditor(session, scope, pair, make_case, make_creditor):
    vip = make_creditor("VIP")
    set_rule(session, team=amicable(session), strategy="fixed", creditor_id=vip.id, agent=pair[1])
    cases = [make_case(vip) for _ in range(3)]
    assert set(assign_cases(session, cases).values()) == {pair[1].id}
    with pytest.raises(AssignmentError):
        set_rule(session, team=amicable(session), strategy="fixed", agent=None)
    with pytest.raises(AssignmentError):
        set_rule(session, team=amicable(session), strategy="lottery")


def test_bulk_reassignment_moves_cases_and_open_actions_with_an_audit(session, scope, pair, assigned_case, make_creditor):
    first, second, _ = pair
    other = make_creditor("OTHER2")
    moved, kept = assigned_case(first), assigned_case(first, creditor=other)
    open_call = add_call(session, moved, WEDNESDAY, assignee=first)
    done_call = add_call(session, moved, WEDNESDAY - timedelta(days=2), assignee=first, status="done")
    count = bulk_reassign(session, from_agent=first, to_agent=second, creditor_id=moved.creditor_id,
                          reason="départ en congé")
    assert count == 1 and moved.agent_id == second.id and kept.agent_id == first.id
    session.expire_all()
    assert session.get(Action, open_call.id).assignee_id == second.id
    assert session.get(Action, done_call.id).assignee_id == first.id
    event = session.scalar(select(AuditEvent).where(AuditEvent.case_id == moved.id, AuditEvent.verb == "case.changed")
                           .order_by(AuditEvent.id.desc()).limit(1))
    assert event.changes["agent_id"] == [first.id, second.id] and event.reason == "départ en congé"
    with pytest.raises(AssignmentError):
        bulk_reassign(session, from_agent=first, to_agent=second, reason="")


def test_absence_must_end_today_or_later(session, scope, pair):
    with pytest.raises(AssignmentError):
        set_absence(session, pair[0], date(2026, 3, 1))
    set_absence(session, pair[0], None)
    assert pair[0].absent_until is None
