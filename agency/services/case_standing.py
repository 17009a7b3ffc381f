"""Where an open case stands: its next action, or the stated reason it has none.

Every open case is worked until it has a result, so it has either a next action (planned or
due, with someone or some job to do it) or a reason nothing is due: held until a date,
waiting for an approval, a communication waiting for its sender job, paused by a promise,
a plan or a dispute, or a next step the playbook has dated. What is left are the strays a
team lead must act on: an engine error, a playbook finished (every step done or skipped,
no result yet), a case under no playbook, or none of these. One expression decides, in
this order, for one case or for a team's cases at once (``standing_of``, ``standings``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from agency.domain.actions import SENDER_JOBS, WORKABLE_STATUSES
from agency.models import Action, Case, Creditor, Dispute, InstalmentPlan, PaymentPromise
from agency.models.playbook import CaseEngine, CaseStep, EngineHold, PlaybookStep

JOBS = tuple(sorted(set(SENDER_JOBS.values())))  # messages, letters
# The reasons in the order they are decided; the strays last.
REASONS = (("held", "next_action", "waiting_approval") + tuple(f"waiting_{job}" for job in JOBS)
           + ("paused_promise", "paused_plan", "paused_dispute", "scheduled", "enrolment_pending"))
STRAYS = ("engine_error", "playbook_finished", "not_enrolled", "no_next_action")


@dataclass(frozen=True, slots=True)
class Standings:
    counts: dict[str, int]          # reason -> open cases
    strays: list[tuple[Case, str]]  # the first strays, with their reason
    stray_count: int


def _action(*conditions):
    return exists().where(Action.case_id == Case.id, *conditions)


def _held(today: date):
    engine_hold = exists().where(
        or_(EngineHold.case_id == Case.id, EngineHold.debtor_id == Case.debtor_id),
        EngineHold.start_on <= today, EngineHold.until >= today,
        or_(EngineHold.lifted_on.is_(None), EngineHold.lifted_on > today))
    return or_(and_(Case.hold_until.is_not(None), Case.hold_until >= today), engine_hold)


def _playbook_finished():
    """Every step of the case's playbook (its segment's) recorded, none still pending."""
    unrecorded = exists().where(
        PlaybookStep.version_id == CaseEngine.version_id,
        PlaybookStep.segment.in_((literal(""), func.coalesce(Case.segment, ""))),
        ~exists().where(CaseStep.case_id == Case.id, CaseStep.step_code == PlaybookStep.code))
    pending = exists().where(CaseStep.case_id == Case.id, CaseStep.status == "pending")
    return and_(~unrecorded, ~pending)


def reason_of(today: date):
    """The SQL expression of an open case's reason (a case joined to its creditor and,
    outer, its engine row)."""
    workable = Action.status.in_(WORKABLE_STATUSES)
    waiting_jobs = [(_action(workable, Action.kind.in_([k for k, j in SENDER_JOBS.items() if j == job])),
                     f"waiting_{job}") for job in JOBS]
    return case(
        (_held(today), "held"),
        (_action(workable, Action.kind.not_in(tuple(SENDER_JOBS))), "next_action"),
        (_action(Action.status == "waiting_approval"), "waiting_approval"),
        *waiting_jobs,
        (exists().where(PaymentPromise.case_id == Case.id, PaymentPromise.status == "open"),
         "paused_promise"),
        (exists().where(InstalmentPlan.case_id == Case.id, InstalmentPlan.status == "active"),
         "paused_plan"),
        (exists().where(Dispute.case_id == Case.id, Dispute.status == "open"), "paused_dispute"),
        (CaseEngine.state == "error", "engine_error"),
        (CaseEngine.next_step_at.is_not(None), "scheduled"),
        (and_(CaseEngine.case_id.is_(None), Creditor.playbook_name.is_not(None)),
         "enrolment_pending"),
        (CaseEngine.case_id.is_(None), "not_enrolled"),
        (_playbook_finished(), "playbook_finished"),
        else_="no_next_action")


def _open_cases(today: date, *conditions):
    return (select(Case.id.label("case_id"), reason_of(today).label("reason"))
            .join(Creditor, Creditor.id == Case.creditor_id)
            .outerjoin(CaseEngine, CaseEngine.case_id == Case.id)
            .where(Case.status == "open", *conditions).subquery())


def standings(session: Session, *, team_id: int | None, today: date, limit: int = 50) -> Standings:
    """The open cases (of a team) counted by reason, and the first strays."""
    rows = _open_cases(today, *([Case.team_id == team_id] if team_id is not None else []))
    counts = dict(session.execute(select(rows.c.reason, func.count()).group_by(rows.c.reason)).all())
    strays = session.execute(
        select(Case, rows.c.reason).join(rows, rows.c.case_id == Case.id)
        .where(rows.c.reason.in_(STRAYS)).order_by(Case.opened_at, Case.id).limit(limit)).all()
    return Standings({reason: counts.get(reason, 0) for reason in REASONS + STRAYS},
                     [(row[0], row[1]) for row in strays],
                     sum(counts.get(reason, 0) for reason in STRAYS))


def standing_of(session: Session, case_id: int, today: date) -> str | None:
    """One case's reason (None when it is not open)."""
    return session.scalar(select(_open_cases(today, Case.id == case_id).c.reason))
