"""The team lead's dashboard: figures per agent, overdue tasks, cases with no next action."""
from datetime import date, datetime, timedelta

import pytest

import agency.backoffice.supervision as supervision_views
from agency.domain.money import Money
from agency.domain.timezones import UTC
from agency.services.audit import Actor, audit_scope
from agency.services.calls.log import CallInput, log_call
from agency.services.ledger import post_entry
from agency.services.calls.supervision import dashboard, period
from tests._workspace import WEDNESDAY, add_call, assigned_case, pair  # noqa: F401


@pytest.fixture
def worked_day(session, pair, assigned_case):
    first, second, _ = pair
    promised, idle, busy = assigned_case(), assigned_case(), assigned_case(second)
    add_call(session, busy, WEDNESDAY - timedelta(days=3))  # overdue
    add_call(session, promised, WEDNESDAY + timedelta(days=5))
    with audit_scope(session, Actor.of_user(first), WEDNESDAY):
        log_call(session, case=promised, agent=first, call=CallInput(
            "promise", promise_date=date(2026, 3, 10), promise_amount=Money(40_000, "XOF")))
        log_call(session, case=idle, agent=first, call=CallInput("no_answer"))
        log_call(session, case=idle, agent=first, call=CallInput("reached"))
        post_entry(session, case=promised, kind="payment", amount=Money(-25_000, "XOF"))
    with audit_scope(session, Actor.of_user(second), WEDNESDAY + timedelta(days=1)):
        log_call(session, case=busy, agent=second, call=CallInput("busy"))
    return promised, idle, busy


def test_figures_per_agent_day_and_week(session, pair, worked_day):
    first, second, _ = pair
    day = dashboard(session, team_id=first.team_id, start=date(2026, 3, 4), end=date(2026, 3, 5), now=WEDNESDAY)
    figures = {f.agent.id: f for f in day.agents}
    assert (figures[first.id].calls, figures[first.id].reached, figures[first.id].promises) == (3, 2, 1)
    assert figures[first.id].promised == {"XOF": 40_000} and figures[first.id].collected == {"XOF": 25_000}
    assert figures[second.id].calls == 0
    week = dashboard(session, team_id=first.team_id, start=date(2026, 3, 2), end=date(2026, 3, 9), now=WEDNESDAY)
    assert week.totals.calls == 4 and week.totals.calls_by_day == {date(2026, 3, 4): 3, date(2026, 3, 5): 1}
    assert period(date(2026, 3, 4), "week") == (date(2026, 3, 2), date(2026, 3, 9))


def test_overdue_tasks_and_cases_with_no_next_action(session, pair, worked_day):
    promised, idle, busy = worked_day
    board = dashboard(session, team_id=pair[0].team_id, start=date(2026, 3, 4), end=date(2026, 3, 5),
                      now=WEDNESDAY)
    assert [reference for _, reference in board.overdue] == [busy.reference]
    # the promised case has its planned call; the idle one was called but nothing follows
    idle_refs = {c.reference for c in board.idle_cases}
    assert idle.reference in idle_refs and promised.reference not in idle_refs and board.idle_count == len(idle_refs)


def test_dashboard_page_for_a_lead_and_refused_to_agents(client, login, session, pair, worked_day, monkeypatch):
    monkeypatch.setattr(supervision_views, "now_utc", lambda: datetime(2026, 3, 4, 18, tzinfo=UTC))
    login(pair[2])
    html = client.get("/supervision?period=week").get_data(as_text=True)
    assert "Awa" in html and 'id="calls-chart"' in html and worked_day[1].reference in html
    assert client.get("/supervision?date=not-a-date").status_code == 400
    client.post("/logout")
    login(pair[0])
    assert client.get("/supervision").status_code == 403
