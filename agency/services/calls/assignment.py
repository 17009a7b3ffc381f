"""Who works a case: the team by phase, the agent by the team's rule; moves (one case, a
chosen set, or an agent's whole load) and cover.

Rules per team, optionally per creditor (a creditor's rule wins over the team's): round-robin
among the team's agents, the agent with the fewest open cases, with the smallest open balance,
or one fixed agent. Agents away today receive no new case.

Assigning many cases at once costs a handful of queries, not a few per case: teams,
agents, rules and loads are read once per call (``_Planner``); an import plans its new
cases' team and agent before creating them (``plan_assignment``).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import date

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from agency.models import Action, AssignmentRule, Case, Team, User
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

    def __init__(self, session: Session, today: date,
                 balances: Callable[[], Mapping[Hashable, int]]) -> None:
        self.session, self.today, self.read_balances = session, today, balances
        self.teams = {t.code: t.id for t in session.scalars(select(Team))}
        self.agents: dict[int, list[int]] = {}
        self.rules: dict[tuple[int, int], AssignmentRule | None] = {}
        self.loads: dict[tuple[int, str], dict[int, int]] = {}
        self.started: dict[int, AssignmentRule] = {}  # round-robin cursors created by this call
        self.balances: Mapping[Hashable, int] | None = None

    def team_of(self, phase: str) -> int | None:
        return self.teams.get(PHASE_TEAMS.get(phase, ""))

    def pick(self, case_key: Hashable, team_id: int, creditor_id: int) -> int | None:
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
            1 if strategy == "by_count" else self._balance(case_key))
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
            measure = (func.count(Case.id) if strategy == "by_count"
                       else func.sum(Case.balance_minor))
            query = (select(Case.agent_id, measure).where(Case.agent_id.in_(agent_ids),
                     Case.status == "open").group_by(Case.agent_id))
            self.loads[key] = dict.fromkeys(agent_ids, 0) | {
                agent_id: int(total or 0) for agent_id, total in self.session.execute(query)}
        return self.loads[key]

    def _balance(self, case_key: Hashable) -> int:
        if self.balances is None:  # the balances of all the call's cases, read once
            self.balances = self.read_balances()
        return int(self.balances.get(case_key) or 0)


def assign_cases(session: Session, cases: Iterable[Case]) -> dict[int, int | None]:
    """Give each case its phase's team and an agent by rule; case id -> agent id (None: no agent)."""
    cases = list(cases)
    ids = [c.id for c in cases]
    planner = _Planner(session, current_scope(session).now.date(), lambda: dict(session.execute(
        select(Case.id, Case.balance_minor).where(Case.id.in_(ids))).all()))
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


def plan_assignment(session: Session, cases: Iterable[tuple[Hashable, str, int]],
                    balances: Callable[[], Mapping[Hashable, int]]) -> dict[Hashable, tuple]:
    """The team and agent ``assign_cases`` would give cases not written yet (an import's new
    cases, in order), so they are created assigned: (key, phase, creditor id) -> (team id,
    agent id), None for none. ``balances`` reads key -> balance for the by-balance rule.
    Round-robin cursors move on, as when assigning; the caller audits the cases it creates."""
    planner = _Planner(session, current_scope(session).now.date(), balances)
    plan: dict[Hashable, tuple] = {}
    for key, phase, creditor_id in cases:
        team_id = planner.team_of(phase)
        plan[key] = (team_id, planner.pick(key, team_id, creditor_id) if team_id else None)
    session.flush()
    return plan


def bulk_reassign(session: Session, *, from_agent: User, to_agent: User, creditor_id: int | None = None,
                  case_ids: list[int] | None = None, reason: str) -> int:
    """Move a agent's open cases (all, one creditor's, or the listed ones) and their open actions."""
    query = select(Case.id).where(Case.agent_id == from_agent.id, Case.status == "open")
    if creditor_id is not None:
        query = query.where(Case.creditor_id == creditor_id)
    if case_ids is not None:
        query = query.where(Case.id.in_(case_ids))
    return reassign_cases(session, list(session.scalars(query)), to_agent, reason)


def reassign_cases(session: Session, case_ids: Iterable[int], to_agent: User, reason: str) -> int:
    """Give the listed open cases to ``to_agent`` (and its team), with the open actions their
    agent held; each case's change is in its audit trail with the reason. How many moved
    (a case already with ``to_agent`` stays as it is). LookupError for an unknown case."""
    if not (reason or "").strip():
        raise AssignmentError("a reassignment needs a reason")
    if to_agent.role not in ("agent", "team_lead") or not to_agent.active:
        raise AssignmentError("cases go to an active agent")
    wanted = set(case_ids)
    cases = list(session.scalars(select(Case).where(Case.id.in_(wanted)))) if wanted else []
    if len(cases) != len(wanted):
        raise LookupError("unknown case")
    closed = sorted(c.reference for c in cases if c.status != "open")
    if closed:
        raise AssignmentError(f"only open cases are reassigned: {', '.join(closed)}")
    moved = [c for c in cases if c.agent_id != to_agent.id]
    held_by: dict[int, list[int]] = {}
    for case in moved:
        if case.agent_id is not None:
            held_by.setdefault(case.agent_id, []).append(case.id)
    give_reason(session, reason.strip())
    for case in moved:
        case.agent_id, case.team_id = to_agent.id, to_agent.team_id or case.team_id
    session.flush()
    for previous, ids in held_by.items():
        session.execute(update(Action).where(
            Action.case_id.in_(ids), Action.assignee_id == previous,
            Action.status.in_(OPEN_STATUSES)).values(assignee_id=to_agent.id),
            execution_options={"synchronize_session": "fetch"})
    return len(moved)


def assignable_agents(session: Session, team_id: int | None = None) -> list[User]:
    """Who cases may be given to (active agents and leads), of one team or of all, by name."""
    query = select(User).where(User.role.in_(("agent", "team_lead")), User.active.is_(True))
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return list(session.scalars(query.order_by(User.name, User.id)))


def set_absence(session: Session, agent: User, until: date | None) -> None:
    """Mark an agent away up to `until` included (None: back); the pair's other agent covers."""
    today = current_scope(session).now.date()
    if until is not None and until < today:
        raise AssignmentError("an absence ends today or later")
    agent.absent_until = until
    session.flush()
    record(session, verb="agent.absence", changes={"agent_id": [None, agent.id],
                                                   "absent_until": [None, until.isoformat() if until else None]})
