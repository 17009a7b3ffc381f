"""The call queue's SQL: its rows come in the queue's priority order without reading all of them.

A queue row is an open call action due by now, on an open case not on hold, assigned to one of
the agents, or unassigned on one of their cases. The rows split in two:
- the walk: rows on the agents' own cases that are neither call-backs nor on a case with an
  open promise. Their priority starts with the balance, so each agent's cases are read from an
  index in balance order (in major units, so that currencies compare) until enough are found;
- the special rows, read whole (few): call-backs (first in the queue), rows on cases with an
  open promise (next, by promised date) and actions assigned to the agents on someone else's
  case (a counter-call on the partner's case), wherever their balance puts them.
Indexes: agency.models.calls.
"""
from __future__ import annotations

from datetime import date, datetime
from sqlalchemy import and_, exists, func, literal_column, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from agency.models import Action, Case, Claim, Debtor, PaymentPromise
from agency.models.calls import CALL_KINDS, OPEN_STATUSES, balance_major_sql


def _due(action, now: datetime):
    return and_(action.status.in_(OPEN_STATUSES), action.kind.in_(CALL_KINDS), action.due_at <= now)


def _open_case(case, today: date):
    return and_(case.status == "open", or_(case.hold_until.is_(None), case.hold_until <= today))


def _promised(case_id):
    return (select(func.min(PaymentPromise.promised_date))
            .where(PaymentPromise.case_id == case_id, PaymentPromise.status == "open").scalar_subquery())


def _has_promise(case_id):
    return exists().where(PaymentPromise.case_id == case_id, PaymentPromise.status == "open")


def _row_columns(action, case):
    return (action.id.label("action_id"), action.kind, action.due_at, case.id.label("case_id"),
            case.creditor_id, case.debtor_id, case.currency, case.balance_minor)


def special_rows(session: Session, agents: list[int], now: datetime, today: date) -> list:
    """Call-backs, rows on cases with an open promise, and assigned rows on others' cases."""
    action, case = aliased(Action), aliased(Case)
    mine, own = aliased(Case), aliased(Action)
    theirs = (select(own.id).where(own.assignee_id.in_(agents), _due(own, now), ~exists().where(
        mine.id == own.case_id, mine.agent_id.in_(agents), mine.status == "open")))
    queue_action = or_(action.assignee_id.is_(None), action.assignee_id.in_(agents))
    base = select(*_row_columns(action, case), _promised(case.id).label("promised")).join(
        case, case.id == action.case_id)
    others = base.where(action.id.in_(theirs), _open_case(case, today))
    callbacks = base.where(action.kind == "callback", _due(action, now), queue_action,
                           case.agent_id.in_(agents), _open_case(case, today))
    promised = base.where(case.id.in_(select(PaymentPromise.case_id).where(PaymentPromise.status == "open")),
                          action.kind != "callback", _due(action, now), queue_action,
                          case.agent_id.in_(agents), _open_case(case, today))
    return list(session.execute(union_all(others, callbacks, promised)))


def walk_rows(session: Session, agent_id: int, agents: list[int], now: datetime, today: date,
              after: tuple[int, int] | None, cases: int | None) -> tuple[list, tuple[int, int] | None]:
    """The walk's rows of `agent_id`'s next `cases` cases (all if None) after the keyset `after`
    (balance in major units, case id), best first; with the keyset to go on from (None: done)."""
    major = literal_column(balance_major_sql())
    walked = select(Case.id, Case.creditor_id, Case.debtor_id, Case.currency, Case.balance_minor,
                    major.label("major")).where(
        Case.agent_id == agent_id, _open_case(Case, today), ~_has_promise(Case.id))
    if after is not None:
        walked = walked.where(major <= after[0], or_(major < after[0], Case.id > after[1]))
    walked = walked.order_by(major.desc(), Case.id)
    if cases is not None:
        walked = walked.limit(cases)
    walked = walked.subquery()
    action = aliased(Action)
    query = (select(action.id.label("action_id"), action.kind, action.due_at, walked.c.id.label("case_id"),
                    walked.c.creditor_id, walked.c.debtor_id, walked.c.currency, walked.c.balance_minor,
                    walked.c.major)
             .select_from(walked).join(action, and_(
                 action.case_id == walked.c.id, _due(action, now), action.kind != "callback",
                 or_(action.assignee_id.is_(None), action.assignee_id.in_(agents))), isouter=cases is not None)
             .order_by(walked.c.major.desc(), walked.c.id, action.id))
    rows = list(session.execute(query))
    done = cases is None or len({row.case_id for row in rows}) < cases
    last = None if done or not rows else (rows[-1].major, rows[-1].case_id)
    return [row for row in rows if row.action_id is not None], last


def case_details(session: Session, case_ids: list[int]) -> dict[int, object]:
    """case id -> what an entry shows and the debt's age needs, in one query."""
    if not case_ids:
        return {}
    oldest = (select(func.min(func.coalesce(Claim.due_date, Claim.deposit_date, Claim.issue_date)))
              .where(Claim.case_id == Case.id).scalar_subquery())
    query = (select(Case.id, Case.reference, Case.external_ref, Case.opened_at, oldest.label("oldest"),
                    Debtor.name, Debtor.timezone, Debtor.country)
             .join(Debtor, Debtor.id == Case.debtor_id).where(Case.id.in_(case_ids)))
    return {row.id: row for row in session.execute(query)}
