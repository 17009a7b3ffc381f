"""The team lead's figures: calls, debtors reached, promises, money collected, per agent and
day; overdue tasks; where the open cases stand (``case_standing``), and the strays: open cases
with neither a next action nor a reason to have none (which should always be none)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from agency.domain.timezones import UTC
from agency.models import Action, CallLog, Case, LedgerEntry, PaymentPromise, User
from agency.services.case_standing import Standings, standings


@dataclass(slots=True)
class AgentFigures:
    agent: User | None  # None: the team total
    calls: int = 0
    reached: int = 0  # distinct debtors with a conversation
    promises: int = 0
    promised: dict[str, int] = field(default_factory=dict)  # currency -> minor units
    collected: dict[str, int] = field(default_factory=dict)
    calls_by_day: dict[date, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Dashboard:
    start: date
    end: date  # excluded
    agents: list[AgentFigures]
    totals: AgentFigures
    overdue: list[tuple[Action, str]]  # the task and its case's reference
    overdue_count: int
    standings: Standings  # open cases by reason, and the strays


def period(day: date, span: str) -> tuple[date, date]:
    """The day itself, or its ISO week (Monday to Sunday)."""
    if span == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=7)
    return day, day + timedelta(days=1)


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def dashboard(session: Session, *, team_id: int | None, start: date, end: date, now: datetime,
              limit: int = 50) -> Dashboard:
    """Figures of the team's agents (all agents when team_id is None) from start to end."""
    query = select(User).where(User.role.in_(("agent", "team_lead")))
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    people = {u.id: AgentFigures(u) for u in session.scalars(query.order_by(User.name))}
    ids, low, high = list(people), _instant(start), _instant(end)
    _calls(session, people, ids, low, high)
    _promises(session, people, ids, low, high)
    _collected(session, people, ids, low, high)
    totals = AgentFigures(None)
    for figures in people.values():
        totals.calls += figures.calls
        totals.reached += figures.reached
        totals.promises += figures.promises
        for target, source in ((totals.promised, figures.promised), (totals.collected, figures.collected),
                               (totals.calls_by_day, figures.calls_by_day)):
            for key, value in source.items():
                target[key] = target.get(key, 0) + value
    overdue, overdue_count = _overdue(session, team_id, ids, now, limit)
    standing = standings(session, team_id=team_id, today=now.astimezone(UTC).date(), limit=limit)
    return Dashboard(start, end, list(people.values()), totals, overdue, overdue_count, standing)


def _calls(session, people, ids, low, high) -> None:
    window = and_(CallLog.agent_id.in_(ids), CallLog.at >= low, CallLog.at < high)
    for agent_id, calls, reached in session.execute(
            select(CallLog.agent_id, func.count(CallLog.id),
                   func.count(func.distinct(CallLog.debtor_id)).filter(CallLog.reached.is_(True)))
            .where(window).group_by(CallLog.agent_id)):
        people[agent_id].calls, people[agent_id].reached = calls, reached
    per_day: dict[int, dict[date, int]] = defaultdict(dict)
    for agent_id, at in session.execute(select(CallLog.agent_id, CallLog.at).where(window)):
        day = at.astimezone(UTC).date()
        per_day[agent_id][day] = per_day[agent_id].get(day, 0) + 1
    for agent_id, days in per_day.items():
        people[agent_id].calls_by_day = days


def _promises(session, people, ids, low, high) -> None:
    for agent_id, currency, count, total in session.execute(
            select(PaymentPromise.made_by_id, PaymentPromise.currency, func.count(PaymentPromise.id),
                   func.sum(PaymentPromise.amount_minor))
            .where(PaymentPromise.made_by_id.in_(ids), PaymentPromise.created_at >= low,
                   PaymentPromise.created_at < high)
            .group_by(PaymentPromise.made_by_id, PaymentPromise.currency)):
        people[agent_id].promises += count
        people[agent_id].promised[currency] = int(total)


def _collected(session, people, ids, low, high) -> None:
    """Payments booked in the period on the cases each agent holds now."""
    for agent_id, currency, total in session.execute(
            select(Case.agent_id, LedgerEntry.currency, -func.sum(LedgerEntry.amount_minor))
            .join(LedgerEntry, LedgerEntry.case_id == Case.id)
            .where(Case.agent_id.in_(ids), LedgerEntry.kind == "payment", LedgerEntry.booked_at >= low,
                   LedgerEntry.booked_at < high)
            .group_by(Case.agent_id, LedgerEntry.currency)):
        people[agent_id].collected[currency] = int(total)


def _overdue(session, team_id, ids, now: datetime, limit: int) -> tuple[list[tuple[Action, str]], int]:
    """Open tasks due before today (UTC) on the team's cases."""
    today = _instant(now.astimezone(UTC).date())
    query = (select(Action, Case.reference).join(Case, Action.case_id == Case.id)
             .where(Action.status.in_(("planned", "due")), Action.due_at < today, Case.status == "open"))
    if team_id is not None:
        query = query.where(Case.team_id == team_id)
    count = session.scalar(select(func.count()).select_from(query.with_only_columns(Action.id).subquery()))
    rows = session.execute(query.order_by(Action.due_at, Action.id).limit(limit))
    return [(action, reference) for action, reference in rows], count or 0
