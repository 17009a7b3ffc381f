"""The team lead's dashboard: figures per agent, overdue tasks, cases with no next action."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import exists, func, select

import agency.backoffice.supervision as supervision_views
from agency.domain.actions import UNFINISHED_STATUSES
from agency.domain.money import Money
from agency.domain.timezones import UTC
from agency.models import Action, Case, Creditor, Dispute
from agency.models.playbook import CaseEngine, CaseStep
from agency.services.audit import Actor, audit_scope
from agency.services.calls.log import CallInput, log_call
from agency.services.case_standing import standing_of, standings
from agency.services.demo import load_demo
from agency.services.engine.daily import run_pass
from agency.services.engine.holds import hold_case
from agency.services.engine.plan import case_plan
from agency.services.ledger import post_entry
from agency.services.calls.supervision import dashboard, period
from tests.conftest import T0
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
    # (and its creditor has no playbook to plan anything)
    strays = {c.reference: reason for c, reason in board.standings.strays}
    assert strays.get(idle.reference) == "not_enrolled" and promised.reference not in strays
    assert board.standings.stray_count == len(strays)


def test_dashboard_page_for_a_lead_and_refused_to_agents(client, login, session, pair, worked_day, monkeypatch):
    monkeypatch.setattr(supervision_views, "now_utc", lambda: datetime(2026, 3, 4, 18, tzinfo=UTC))
    login(pair[2])
    html = client.get("/supervision?period=week").get_data(as_text=True)
    assert "Awa" in html and 'id="calls-chart"' in html and worked_day[1].reference in html
    assert client.get("/supervision?date=not-a-date").status_code == 400
    client.post("/logout")
    login(pair[0])
    assert client.get("/supervision").status_code == 403


def test_demo_cases_each_have_a_next_action_or_a_stated_reason(session, scope, make_case, make_creditor):
    """Issue #10, finding 9: the demo listed 70 open cases "without next action"; each has one
    or a reason (a dated next step, an approval, a sender job): the list holds only strays."""
    load_demo(session, password="demo-password-1")
    today = T0.date()
    without_action = session.scalar(select(func.count(Case.id)).where(
        Case.status == "open", ~exists().where(Action.case_id == Case.id,
                                               Action.status.in_(UNFINISHED_STATUSES))))
    assert without_action == 70  # what the page listed as strays before
    board = dashboard(session, team_id=None, start=today, end=today + timedelta(days=1), now=T0)
    standing = board.standings
    assert standing.strays == [] and standing.stray_count == 0
    open_cases = session.scalar(select(func.count(Case.id)).where(Case.status == "open"))
    assert sum(standing.counts.values()) == open_cases
    assert standing.counts["scheduled"] == without_action
    # a case whose steps so far were all skipped has its next step dated, as evaluate says
    for engine in session.scalars(select(CaseEngine)):
        records = session.scalars(select(CaseStep.status).where(CaseStep.case_id == engine.case_id)).all()
        if records and set(records) == {"skipped"}:
            plan = case_plan(session, session.get(Case, engine.case_id), T0)
            assert engine.next_step_at is not None
            assert engine.next_step_at == plan["evaluation"].wake_on

    # The next day the lender's SMS and emails are due: they wait for the messages job.
    with audit_scope(session, Actor.system("tick"), T0 + timedelta(days=1)):
        run_pass(session, now=T0 + timedelta(days=1))
    later = standings(session, team_id=None, today=today + timedelta(days=1))
    lender_cases = session.scalar(select(func.count(Case.id)).join(Creditor).where(Creditor.code == "SOBCA"))
    assert later.counts["waiting_messages"] == lender_cases and later.strays == []

    # The real strays: a case under no playbook, one the engine cannot run (no segment).
    loose = make_case(make_creditor("LOOSE"))
    broken = make_case(session.scalar(select(Creditor).where(Creditor.code == "CLINIQUE")), segment=None)
    with audit_scope(session, Actor.system("tick"), T0 + timedelta(days=2)):
        run_pass(session, now=T0 + timedelta(days=2))
    strays = standings(session, team_id=None, today=today + timedelta(days=2))
    assert {(c.reference, reason) for c, reason in strays.strays} == {
        (loose.reference, "not_enrolled"), (broken.reference, "engine_error")}
    assert standing_of(session, broken.id, today) == "engine_error"


def test_held_and_paused_cases_are_not_strays(session, scope, make_creditor, make_case, make_user):
    lone = make_creditor("LONE")
    held, disputed = make_case(lone), make_case(lone)
    hold_case(session, held, until=T0.date() + timedelta(days=30), reason="délai", approved_by="Direction")
    session.add(Dispute(case_id=disputed.id, status="open", reason="facture contestée",
                        raised_by="debtor", created_at=T0))
    session.flush()
    assert standing_of(session, held.id, T0.date()) == "held"
    assert standing_of(session, disputed.id, T0.date()) == "paused_dispute"
    assert standing_of(session, held.id, T0.date() + timedelta(days=31)) == "not_enrolled"


def test_the_page_counts_by_reason_and_links_the_strays(client, login, session, scope, make_creditor,
                                                        make_case, make_user, monkeypatch):
    monkeypatch.setattr(supervision_views, "now_utc", lambda: T0)
    stray = make_case(make_creditor("LOOSE"))
    login(make_user("direction"))
    html = client.get("/supervision").get_data(as_text=True)
    assert f'/cases/{stray.reference}"' in html and "Sous aucune procédure" in html
    assert 'id="stray-count">1<' in html
