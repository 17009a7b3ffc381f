"""Who works a case: the team by phase, the agent by the team's rule; bulk moves and cover.

Rules per team, optionally per creditor (a creditor's rule wins over the team's): round-robin
among the team's agents, the agent with the fewest open cases, with the smallest open balance,
or one fixed agent. Agents away today receive no new case.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from agency.models import Action, AssignmentRule, Case, LedgerEntry, Team, User
from agency.models.calls import ASSIGNMENT_STRATEGIES, OPEN_STATUSES
from agency.services.audit import current_scope, give_reason, record

PHASE_TEAMS = {"amicable": "amicable", "pre_litigation": "amicable", "judicial": "judicial",
               "injunction": "injunction", "enforcement": "injunction"}


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


def _loads(session: Session, agent_ids: list[int], strategy: str) -> dict[int, int]:
    """Open cases (count) or open balance (minor units) per agent."""
    loads = dict.fromkeys(agent_ids, 0)
    if strategy == "by_count":
        query = (select(Case.agent_id, func.count(Case.id)).where(Case.agent_id.in_(agent_ids),
                 Case.status == "open").group_by(Case.agent_id))
    else:
        query = (select(Case.agent_id, func.sum(LedgerEntry.amount_minor)).join(
            LedgerEntry, LedgerEntry.case_id == Case.id).where(
            Case.agent_id.in_(agent_ids), Case.status == "open").group_by(Case.agent_id))
    loads.update({agent_id: int(total or 0) for agent_id, total in session.execute(query)})
    return loads


def _balance(session: Session, case: Case) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
                              .where(LedgerEntry.case_id == case.id)))


def assign_cases(session: Session, cases: Iterable[Case]) -> dict[int, int | None]:
    """Give each case its phase's team and an agent by rule; case id -> agent id (None: no agent)."""
    today = current_scope(session).now.date()
    teams = {t.code: t for t in session.scalars(select(Team))}
    chosen: dict[int, int | None] = {}
    loads: dict[tuple[int, str], dict[int, int]] = {}
    for case in cases:
        team = teams.get(PHASE_TEAMS.get(case.phase, ""))
        if team is None:
            chosen[case.id] = None
            continue
        case.team_id = team.id
        agents = team_agents(session, team.id, today)
        rule = rule_for(session, team.id, case.creditor_id)
        agent_id = _pick(session, case, rule, [a.id for a in agents], loads)
        case.agent_id = agent_id
        chosen[case.id] = agent_id
    give_reason(session, "affectation automatique")
    session.flush()
    return chosen


def _pick(session: Session, case: Case, rule: AssignmentRule | None, agent_ids: list[int],
          loads: dict[tuple[int, str], dict[int, int]]) -> int | None:
    strategy = rule.strategy if rule else "round_robin"
    if strategy == "fixed":
        return rule.agent_id
    if not agent_ids:
        return None
    if strategy == "round_robin":
        if rule is None:
            rule = AssignmentRule(team_id=case.team_id, creditor_id=None, strategy="round_robin")
            session.add(rule)
        later = [a for a in agent_ids if rule.last_agent_id is None or a > rule.last_agent_id]
        rule.last_agent_id = (later or agent_ids)[0]
        return rule.last_agent_id
    key = (case.team_id, strategy)
    if key not in loads:
        loads[key] = _loads(session, agent_ids, strategy)
    table = loads[key]
    agent_id = min(agent_ids, key=lambda a: (table.get(a, 0), a))
    table[agent_id] = table.get(agent_id, 0) + (1 if strategy == "by_count" else _balance(session, case))
    return agent_id


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
