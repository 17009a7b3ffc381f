"""Derogations: a case, or a debtor with all its cases, held until a day with a reason and
the approver's name. Nothing fires while held; the playbook then resumes per its policy
(``resume: stay`` where it stands, ``shift`` with its dates moved by the held days).
Every hold is kept (the engine reads the whole history) and audited.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from agency.domain.timezones import local_date
from agency.models import Case, Debtor
from agency.models.playbook import CaseEngine, EngineHold
from agency.services import cases as case_service
from agency.services.audit import current_scope, give_reason, record
from agency.services.engine.sweep import mark_due


class HoldError(ValueError):
    pass


def _check(until: date, today: date, reason: str, approved_by: str) -> None:
    if not reason or not reason.strip() or not approved_by or not approved_by.strip():
        raise HoldError("a hold needs a reason and the name of who approved it")
    if until < today:
        raise HoldError("a hold must last until today or later")


def hold_case(session: Session, case: Case, *, until: date, reason: str,
              approved_by: str) -> EngineHold:
    """Hold one case until ``until`` (included)."""
    scope = current_scope(session)
    today = local_date(scope.now, case.creditor.timezone)
    _check(until, today, reason, approved_by)
    hold = EngineHold(case_id=case.id, start_on=today, until=until, reason=reason.strip(),
                      approved_by=approved_by.strip(), created_at=scope.now,
                      created_by=scope.actor.label)
    session.add(hold)
    if until > scope.now.date():
        case_service.hold_case(session, case, until=until, reason=reason.strip(),
                               approved_by=approved_by.strip())
    else:
        record(session, verb="case.held", case=case, reason=reason,
               changes={"hold_until": [None, until.isoformat()]})
    session.flush()
    mark_due(session, [case.id], scope.now)
    return hold


def hold_debtor(session: Session, debtor: Debtor, *, until: date, reason: str,
                approved_by: str, zone: str | None = None) -> EngineHold:
    """Hold a debtor (a guarantor in difficulty): every one of its cases, of any creditor."""
    scope = current_scope(session)
    today = local_date(scope.now, zone or debtor.timezone)
    _check(until, today, reason, approved_by)
    hold = EngineHold(debtor_id=debtor.id, start_on=today, until=until, reason=reason.strip(),
                      approved_by=approved_by.strip(), created_at=scope.now,
                      created_by=scope.actor.label)
    session.add(hold)
    record(session, verb="debtor.held", debtor_id=debtor.id, reason=reason,
           changes={"hold_until": [None, until.isoformat()], "approved_by": [None, approved_by]})
    session.flush()
    mark_due(session, _debtor_case_ids(session, debtor.id), scope.now)
    return hold


def lift_hold(session: Session, hold: EngineHold, *, reason: str) -> None:
    """End a hold early: from today the playbook resumes."""
    if not reason or not reason.strip():
        raise HoldError("lifting a hold needs a reason")
    if hold.lifted_on is not None:
        raise HoldError("this hold is already lifted")
    scope = current_scope(session)
    case = session.get(Case, hold.case_id) if hold.case_id else None
    zone = case.creditor.timezone if case else session.get(Debtor, hold.debtor_id).timezone
    hold.lifted_on = local_date(scope.now, zone)
    hold.lifted_at, hold.lifted_reason = scope.now, reason.strip()
    if case is not None:
        give_reason(session, reason)
        case.hold_until = case.hold_reason = case.hold_approved_by = None
    else:
        record(session, verb="debtor.hold_lifted", debtor_id=hold.debtor_id, reason=reason)
    session.flush()
    ids = [hold.case_id] if hold.case_id else _debtor_case_ids(session, hold.debtor_id)
    mark_due(session, ids, scope.now)


def holds_for_case(session: Session, case: Case) -> list[EngineHold]:
    """The case's holds and its debtor's, newest first."""
    return list(session.scalars(select(EngineHold).where(
        or_(EngineHold.case_id == case.id, EngineHold.debtor_id == case.debtor_id))
        .order_by(EngineHold.created_at.desc(), EngineHold.id.desc())))


def _debtor_case_ids(session: Session, debtor_id: int) -> list[int]:
    return list(session.scalars(select(CaseEngine.case_id).join(Case, Case.id == CaseEngine.case_id)
                                .where(Case.debtor_id == debtor_id)))
