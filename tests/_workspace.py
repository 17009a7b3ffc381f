"""Shared helpers of the workspace tests: a pair of agents, call actions, instants."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agency.domain.timezones import UTC
from agency.models import Action
from agency.services.directory import ensure_teams

WEDNESDAY = datetime(2026, 3, 4, 10, tzinfo=UTC)  # 10:00 in Dakar, a working day


def local(zone: str, *fields: int) -> datetime:
    return datetime(*fields, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def add_call(session, case, due_at: datetime, *, assignee=None, kind: str = "call",
             status: str = "due") -> Action:
    action = Action(case_id=case.id, kind=kind, due_at=due_at, status=status,
                    assignee_id=assignee.id if assignee else None, assignee_role="agent",
                    step_code="AC-8W", claim_ids=[], created_at=due_at - timedelta(days=1))
    session.add(action)
    session.flush()
    return action


@pytest.fixture
def pair(session, scope, make_user):
    """Two paired agents of the amicable team, and its lead."""
    ensure_teams(session)
    first = make_user("agent", team="amicable", name="Awa")
    second = make_user("agent", team="amicable", name="Moussa", pair_with=first.email)
    lead = make_user("team_lead", team="amicable", name="Ibrahima")
    return first, second, lead


@pytest.fixture
def assigned_case(session, make_case, pair):
    """A factory of open cases of the first agent (or the one given)."""
    def make(agent=None, **kwargs):
        case = make_case(**kwargs)
        case.agent_id, case.team_id = (agent or pair[0]).id, (agent or pair[0]).team_id
        session.flush()
        return case
    return make
