"""The call queue's SQL: its rows come in the queue's priority order without reading all of them.

A queue row is an open call action due by now, on an open case not on hold, assigned to one of
the agents, or unassigned on one of their cases (the engine's calls follow the case's agent).
The rows split in two:
- the walk: unassigned rows, not call-backs, on the agents' own cases without an open promise.
  Their priority starts with the balance, so each agent's cases are read from an index in
  balance order (in major units, so that currencies compare) until enough are found;
- the special rows, read whole (few): the rows assigned to the agents (call-backs, counter-calls,
  on their cases or a colleague's), the unassigned call-backs on their cases, and the rows on
  their cases with an open promise (next after call-backs, by promised date; the case carries
  the promise's date, so an index finds them).
Indexes: agency.models.calls.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import cache

from sqlalchemy import and_, bindparam, func, literal, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from agency.models import Action, Case, Claim, Debtor
from agency.models.calls import CALL_KINDS, OPEN_STATUSES, balance_major_sql

# The statements are built once, with bound parameters: building them (aliases, subqueries) took
# longer than running them. `agents` expands to the agent ids.
_AGENTS = bindparam("agents", expanding=True)
_NOW = bindparam("now")
_TODAY = bindparam("today")


def _fixed(value: str):
    """A constant written into the statement, not sent as a parameter: PostgreSQL matches a
    partial index's predicate (agency.models.calls) only against constants it can see, and a
    prepared statement's generic plan sees parameters."""
    return literal(value, literal_execute=True)


def _due(action):
    return and_(action.status.in_([_fixed(s) for s in OPEN_STATUSES]),
                action.kind.in_([_fixed(k) for k in CALL_KINDS]), action.due_at <= _NOW)


def _open_case(case):
    return and_(case.status == _fixed("open"), or_(case.hold_until.is_(None), case.hold_until <= _TODAY))


def _row_columns(action, case):
    return (action.id.label("action_id"), action.kind, action.due_at, case.id.label("case_id"),
            case.creditor_id, case.debtor_id, case.currency, case.balance_minor,
            case.promised_date.label("promised"))


@cache
def _special_statements():
    """Three statements, not one union: planned apart, each takes its own small index."""
    action, case = aliased(Action), aliased(Case)
    base = select(*_row_columns(action, case)).join(case, case.id == action.case_id).where(
        _due(action), _open_case(case))
    assigned = base.where(action.assignee_id.in_(_AGENTS))
    callbacks = base.where(action.assignee_id.is_(None), action.kind == _fixed("callback"),
                           case.agent_id.in_(_AGENTS))
    promised = base.where(action.assignee_id.is_(None), action.kind != _fixed("callback"),
                          case.agent_id.in_(_AGENTS), case.promised_date.is_not(None))
    return assigned, callbacks, promised


def special_rows(session: Session, agents: list[int], now: datetime, today: date) -> list:
    """The rows assigned to the agents, unassigned call-backs, and rows on cases with an open promise."""
    params = {"agents": agents, "now": now, "today": today}
    return [row for statement in _special_statements() for row in session.execute(statement, params)]


@cache
def _walk_statement(resume: bool, limited: bool):
    major = literal_column(balance_major_sql())
    walked = select(Case.id, Case.creditor_id, Case.debtor_id, Case.currency, Case.balance_minor,
                    major.label("major")).where(
        Case.agent_id == bindparam("agent"), _open_case(Case), Case.promised_date.is_(None))
    if resume:
        after_major, after_id = bindparam("after_major"), bindparam("after_id")
        walked = walked.where(major <= after_major, or_(major < after_major, Case.id > after_id))
    walked = walked.order_by(major.desc(), Case.id)
    if limited:
        walked = walked.limit(bindparam("cases"))
    walked = walked.subquery()
    action = aliased(Action)
    return (select(action.id.label("action_id"), action.kind, action.due_at, walked.c.id.label("case_id"),
                   walked.c.creditor_id, walked.c.debtor_id, walked.c.currency, walked.c.balance_minor,
                   walked.c.major)
            .select_from(walked).join(action, and_(
                action.case_id == walked.c.id, _due(action), action.kind != _fixed("callback"),
                action.assignee_id.is_(None)), isouter=limited)
            .order_by(walked.c.major.desc(), walked.c.id, action.id))


def walk_rows(session: Session, agent_id: int, now: datetime, today: date,
              after: tuple[int, int] | None, cases: int | None) -> tuple[list, tuple[int, int] | None]:
    """The walk's rows of `agent_id`'s next `cases` cases (all if None) after the keyset `after`
    (balance in major units, case id), best first; with the keyset to go on from (None: done)."""
    params = {"agent": agent_id, "now": now, "today": today}
    if after is not None:
        params.update(after_major=after[0], after_id=after[1])
    if cases is not None:
        params["cases"] = cases
    rows = list(session.execute(_walk_statement(after is not None, cases is not None), params))
    done = cases is None or len({row.case_id for row in rows}) < cases
    last = None if done or not rows else (rows[-1].major, rows[-1].case_id)
    return [row for row in rows if row.action_id is not None], last


@cache
def _details_statement():
    oldest = (select(func.min(func.coalesce(Claim.due_date, Claim.deposit_date, Claim.issue_date)))
              .where(Claim.case_id == Case.id).scalar_subquery())
    return (select(Case.id, Case.reference, Case.external_ref, Case.opened_at, oldest.label("oldest"),
                   Debtor.name, Debtor.timezone, Debtor.country)
            .join(Debtor, Debtor.id == Case.debtor_id).where(Case.id.in_(bindparam("ids", expanding=True))))


def case_details(session: Session, case_ids: list[int]) -> dict[int, object]:
    """case id -> what an entry shows and the debt's age needs, in one query."""
    if not case_ids:
        return {}
    return {row.id: row for row in session.execute(_details_statement(), {"ids": list(case_ids)})}
