"""Who works a case: the team by phase, the agent by the team's rule; bulk moves and cover.

Rules per team, optionally per creditor (a creditor's rule wins over the team's): round-robin
among the team's agents, the agent with the fewest open cases, with the smallest open balance,
or one fixed agent. Agents away today receive no new case.

Assigning many cases at once (an import) costs a handful of queries, not a few per case:
teams, agents, rules and loads are read once per call (``_Planner``), and ``assign_case_ids``
writes the choices and their audit events in bulk.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from agency.models import Action, AssignmentRule, AuditEvent, Case, Team, User
from agency.models.calls import ASSIGNMENT_STRATEGIES, OPEN_STATUSES
from agency.services.audit import current_scope, give_reason, record

PHASE_TEAMS = {"amicable": "amicable", "pre_litigation": "amicable", "judicial": "judicial",
               "injunction": "injunction", "enforcement": "injunction"}
REASON = "affectation automatique"


class AssignmentError(ValueError):
    pass


def team_agents(session: Session, team_id: int, today: date | None = None) -> list[User]:
    """The team's active agents, by id; with `today`, only those not away."""
    query = select(User).where(User.team_id == team_id, User.role == "agent", User.active.is_(True))
    agents = list(session.scalars(query.order_by(User.id)))
    if today is not None:
        agents = [a for a in agents if a.absent_until is None or a.absent_until < today]
    return agents


def rule_for(session: Session, team_id: int, creditor_id: int | None) -> AssignmentRule | None:
    rules = {r.creditor_id: r for r in session.scalars(select(AssignmentRule).where(
        AssignmentRule.team_id == team_id, or_(AssignmentRule.creditor_id == creditor_id,
                                            AssignmentRule.creditor_id.is_(None))))}
    return rules.get(creditor_id) or rules.get(None)


def set_rule(session: Session, *, team: Team, strategy: str, creditor_id: int | None = None,
             agent: User | None = None) -> AssignmentRule:
    """Create or change the team's rule (for one creditor, or for all when creditor_id is None)."""
    if strategy not in ASSIGNMENT_STRATEGIES:
        raise AssignmentError(f"unknown strategy {strategy}")
    if strategy == "fixed" and (agent is None or agent.team_id != team.id):
        raise AssignmentError("a fixed rule needs an agent of the team")
    rule = session.scalar(select(AssignmentRule).where(
        AssignmentRule.team_id == team.id, AssignmentRule.creditor_id.is_(None) if creditor_id is None
        else AssignmentRule.creditor_id == creditor_id))
    if rule is None:
        rule = AssignmentRule(team_id=team.id, creditor_id=creditor_id)
        session.add(rule)
    rule.strategy, rule.agent_id = strategy, agent.id if strategy == "fixed" else None
    session.flush()
    return rule


class _Planner:
    """The choices of one assignment call, reading each team's agents, rule and loads once."""

    def __init__(self, session: Session, today: date, case_ids: list[int]) -> None:
        self.session, self.today, self.case_ids = session, today, case_ids
        self.teams = {t.code: t.id for t in session.scalars(select(Team))}
        self.agents: dict[int, list[int]] = {}
        self.rules: dict[tuple[int, int], AssignmentRule | None] = {}
        self.loads: dict[tuple[int, str], dict[int, int]] = {}
        self.started: dict[int, AssignmentRule] = {}  # round-robin cursors created by this call
        self.balances: dict[int, int] | None = None

    def team_of(self, phase: str) -> int | None:
        return self.teams.get(PHASE_TEAMS.get(phase, ""))

    def pick(self, case_id: int, team_id: int, creditor_id: int) -> int | None:
        """The agent of a case given to ``team_id`` (None: nobody to give it to)."""
        rule = self._rule(team_id, creditor_id)
        strategy = rule.strategy if rule else "round_robin"
        if strategy == "fixed":
            return rule.agent_id
        agent_ids = self._agents(team_id)
        if not agent_ids:
            return None
        if strategy == "round_robin":
            return self._next_in_turn(team_id, rule, agent_ids)
        table = self._loads(team_id, strategy, agent_ids)
        agent_id = min(agent_ids, key=lambda a: (table.get(a, 0), a))
        table[agent_id] = table.get(agent_id, 0) + (
            1 if strategy == "by_count" else self._balance(case_id))
        return agent_id

    def _agents(self, team_id: int) -> list[int]:
        if team_id not in self.agents:
            self.agents[team_id] = [a.id for a in team_agents(self.session, team_id, self.today)]
        return self.agents[team_id]

    def _rule(self, team_id: int, creditor_id: int) -> AssignmentRule | None:
        key = (team_id, creditor_id)
        if key not in self.rules:
            self.rules[key] = rule_for(self.session, team_id, creditor_id)
        return self.rules[key] or self.started.get(team_id)

    def _next_in_turn(self, team_id: int, rule: AssignmentRule | None,
                      agent_ids: list[int]) -> int:
        if rule is None:  # the team's first round: its cursor is kept from now on
            rule = self.started[team_id] = AssignmentRule(team_id=team_id, creditor_id=None,
                                                          strategy="round_robin")
            self.session.add(rule)
        later = [a for a in agent_ids if rule.last_agent_id is None or a > rule.last_agent_id]
        rule.last_agent_id = (later or agent_ids)[0]
        return rule.last_agent_id

    def _loads(self, team_id: int, strategy: str, agent_ids: list[int]) -> dict[int, int]:
        """Open cases (count) or open balance (minor units) per agent, read once."""
        key = (team_id, strategy)
        if key not in self.loads:
            measure = func.count(Case.id) if strategy == "by_count" else func.sum(Case.balance_minor)
            query = (select(Case.agent_id, measure).where(Case.agent_id.in_(agent_ids),
                     Case.status == "open").group_by(Case.agent_id))
            self.loads[key] = dict.fromkeys(agent_ids, 0) | {
                agent_id: int(total or 0) for agent_id, total in self.session.execute(query)}
        return self.loads[key]

    def _balance(self, case_id: int) -> int:
        if self.balances is None:  # the balances of all the call's cases, in one query
            self.balances = dict(self.session.execute(
                select(Case.id, Case.balance_minor).where(Case.id.in_(self.case_ids))).all())
        return int(self.balances.get(case_id) or 0)


def assign_cases(session: Session, cases: Iterable[Case]) -> dict[int, int | None]:
    """Give each case its phase's team and an agent by rule; case id -> agent id (None: no agent)."""
    cases = list(cases)
    planner = _Planner(session, current_scope(session).now.date(), [c.id for c in cases])
    chosen: dict[int, int | None] = {}
    for case in cases:
        team_id = planner.team_of(case.phase)
        if team_id is None:
            chosen[case.id] = None
            continue
        case.team_id = team_id
        case.agent_id = chosen[case.id] = planner.pick(case.id, team_id, case.creditor_id)
    give_reason(session, REASON)
    session.flush()
    return chosen


def assign_case_ids(session: Session, case_ids: list[int]) -> dict[int, int | None]:
    """``assign_cases`` for cases not loaded in the session (an import's new cases), in bulk:
    the same choices, written by a few UPDATEs, with the same ``case.changed`` audit events."""
    rows = session.execute(select(Case.id, Case.phase, Case.creditor_id, Case.debtor_id,
                                  Case.team_id, Case.agent_id)
                           .where(Case.id.in_(case_ids)).order_by(Case.id)).all()
    planner = _Planner(session, current_scope(session).now.date(), [r.id for r in rows])
    chosen: dict[int, int | None] = {}
    moves: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    events = []
    for row in rows:
        team_id = planner.team_of(row.phase)
        if team_id is None:
            chosen[row.id] = None
            continue
        agent_id = chosen[row.id] = planner.pick(row.id, team_id, row.creditor_id)
        changes = {name: [old, new] for name, old, new in (
            ("team_id", row.team_id, team_id), ("agent_id", row.agent_id, agent_id)) if old != new}
        if changes:
            moves[(team_id, agent_id)].append(row.id)
            events.append(_event(session, row, changes))
    session.flush()  # a round-robin cursor created or moved
    _write_moves(session, moves)
    if events:
        session.execute(insert(AuditEvent.__table__), events)
    return chosen


def _write_moves(session: Session, moves: dict[tuple[int, int | None], list[int]]) -> None:
    """One UPDATE per (team, agent) pair, in slices the drivers' parameter limits allow."""
    statement = (update(Case.__table__).where(Case.__table__.c.id.in_(bindparam("ids", expanding=True)))
                 .values(team_id=bindparam("team"), agent_id=bindparam("agent")))
    for (team_id, agent_id), ids in moves.items():
        for start in range(0, len(ids), 10_000):
            session.execute(statement, {"ids": ids[start:start + 10_000], "team": team_id,
                                        "agent": agent_id})


def _event(session: Session, row, changes: dict) -> dict:
    """The event the flush listener writes for a changed case (agency.services.audit)."""
    scope = current_scope(session)
    return {"at": scope.now, "case_id": row.id, "debtor_id": row.debtor_id,
            "creditor_id": row.creditor_id, "actor_id": scope.actor.user_id,
            "actor_label": scope.actor.label, "verb": "case.changed", "changes": changes,
            "reason": REASON}


def bulk_reassign(session: Session, *, from_agent: User, to_agent: User, creditor_id: int | None = None,
                  case_ids: list[int] | None = None, reason: str) -> int:
    """Move a agent's open cases (all, one creditor's, or the listed ones) and their open actions."""
    if not reason:
        raise AssignmentError("a reassignment needs a reason")
    if to_agent.role not in ("agent", "team_lead") or not to_agent.active:
        raise AssignmentError("cases go to an active agent")
    query = select(Case).where(Case.agent_id == from_agent.id, Case.status == "open")
    if creditor_id is not None:
        query = query.where(Case.creditor_id == creditor_id)
    if case_ids is not None:
        query = query.where(Case.id.in_(case_ids))
    cases = list(session.scalars(query))
    give_reason(session, reason)
    for case in cases:
        case.agent_id, case.team_id = to_agent.id, to_agent.team_id or case.team_id
    session.flush()
    if cases:
        session.execute(update(Action).where(
            Action.case_id.in_([c.id for c in cases]), Action.assignee_id == from_agent.id,
            Action.status.in_(OPEN_STATUSES)).values(assignee_id=to_agent.id),
            execution_options={"synchronize_session": "fetch"})
    return len(cases)


def set_absence(session: Session, agent: User, until: date | None) -> None:
    """Mark an agent away up to `until` included (None: back); the pair's other agent covers."""
    today = current_scope(session).now.date()
    if until is not None and until < today:
        raise AssignmentError("an absence ends today or later")
    agent.absent_until = until
    session.flush()
    record(session, verb="agent.absence", changes={"agent_id": [None, agent.id],
                                                   "absent_until": [None, until.isoformat() if until else None]})
