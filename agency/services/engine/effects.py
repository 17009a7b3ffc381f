"""What the engine does itself with the actions it made: hand a case over (phase, team),
and close a step once every action of it is finished.

Handovers in a pass are applied set-based; the audit rows the ORM listener would write
are inserted alongside (actor from the pass's scope). One action at a time (an approval,
an agent completing a task) goes through the ORM and its listener instead.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from agency.domain.timezones import local_date
from agency.models import Action, AuditEvent, Case, Team
from agency.models.base import sql_in
from agency.models.playbook import CaseStep, PlaybookStep, PlaybookStepAction
from agency.services.audit import current_scope, give_reason
from agency.services.engine.batch import Batch
from agency.services.engine.sweep import mark_due
from agency.services.sql import run, run_many

FINISHED = ("done", "skipped", "cancelled")
TEAM_CODES = {"amicable_team": "amicable", "judicial_team": "judicial",
              "injunction_team": "injunction"}


def execute_handovers(session: Session, batch: Batch) -> int:
    """Apply this pass's handovers that need no approval; returns how many."""
    # Only records of steps with a handover action can have one: a filter on the pass's
    # records before any look-up in the (large) action table.
    codes = tuple(session.scalars(select(PlaybookStep.code).distinct().join(
        PlaybookStepAction, PlaybookStepAction.step_id == PlaybookStep.id)
        .where(PlaybookStepAction.kind == "handover")))
    if not codes:
        return 0
    rows = run(session, """
        SELECT a.id, c.id, c.phase, c.team_id, c.debtor_id, c.creditor_id, psa.to_phase,
               psa.to_team, a.step_code
        FROM case_step cs
        JOIN action a ON a.case_id = cs.case_id AND a.step_code = cs.step_code
        JOIN playbook_step_action psa ON psa.id = a.step_action_id
        JOIN collection_case c ON c.id = a.case_id
        WHERE cs.pass_id = :pass AND a.kind = 'handover' AND a.approval = 'none'
          AND a.status IN ('planned', 'due')
          AND cs.step_code IN :codes
        ORDER BY a.id""", **{"pass": batch.pass_id}, codes=codes).all()
    if not rows:
        return 0
    teams = _team_ids(session)
    scope = current_scope(session)
    updates, audits = [], []
    for action_id, case_id, phase, team_id, debtor_id, creditor_id, to_phase, to_team, step in rows:
        new_phase = to_phase or phase
        new_team = teams.get(TEAM_CODES.get(to_team or ""), team_id)
        changes = {k: [old, new] for k, old, new in (("phase", phase, new_phase),
                                                     ("team_id", team_id, new_team)) if old != new}
        updates.append({"case_id": case_id, "phase": new_phase, "team_id": new_team})
        if changes:  # the step that handed the case over says why (its title, on screen)
            audits.append(dict(at=batch.now, case_id=case_id, debtor_id=debtor_id,
                               creditor_id=creditor_id, actor_id=scope.actor.user_id,
                               actor_label=scope.actor.label, verb="case.changed",
                               changes=changes | {"step": [None, step]}, reason=None))
    run_many(session, "UPDATE collection_case SET phase = :phase, team_id = :team_id "
                      "WHERE id = :case_id", updates)
    if audits:
        session.execute(insert(AuditEvent), audits)
    ids = ", ".join(str(r[0]) for r in rows)
    run(session, f"""UPDATE action SET status = 'done', done_at = :now, outcome = 'handed_over'
                     WHERE id IN ({ids})""", now=batch.now)
    return len(rows)


def _team_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Team.code, Team.id)).all())


def close_finished_steps(session: Session, batch: Batch) -> None:
    """A step of this pass whose actions are all finished is done today.

    Actions are made open (due, planned, waiting for approval); only the pass's handovers
    finish at once. So only steps with no action made open for certain (no action, or
    only handovers and conditional ones) can finish now: the others are not looked up."""
    codes = tuple(session.scalars(select(PlaybookStep.code).distinct().where(
        ~select(PlaybookStepAction.id).where(
            PlaybookStepAction.step_id == PlaybookStep.id, PlaybookStepAction.kind != "handover",
            PlaybookStepAction.overdue_above_minor.is_(None),
            PlaybookStepAction.no_payment_since_days.is_(None),
            PlaybookStepAction.promise_broken.is_(False),
            PlaybookStepAction.plan_broken.is_(False)).exists())))
    if not codes:
        return
    run(session, f"""
        UPDATE case_step SET status = 'done', on_date = :today
        WHERE pass_id = :pass AND status = 'pending' AND step_code IN :codes
          AND NOT EXISTS (SELECT 1 FROM action a
                          WHERE a.case_id = case_step.case_id AND a.step_code = case_step.step_code
                            AND a.status NOT IN {sql_in(FINISHED)})""",
        today=batch.today, codes=codes, **{"pass": batch.pass_id})


def hand_over(session: Session, action: Action, reason: str | None) -> None:
    """Apply one handover action through the ORM (its change is audited at flush)."""
    spec = session.get(PlaybookStepAction, action.step_action_id) if action.step_action_id else None
    case = session.get(Case, action.case_id)
    if spec is None or case is None:
        return
    give_reason(session, reason)
    if spec.to_phase:
        case.phase = spec.to_phase
    team = _team_ids(session).get(TEAM_CODES.get(spec.to_team or ""))
    if team is not None:
        case.team_id = team
    action.status, action.outcome = "done", "handed_over"
    action.done_at = current_scope(session).now
    session.flush()


def settle_step(session: Session, case_id: int, step_code: str | None, now: datetime) -> str | None:
    """Close the step if all its actions are finished: done (cancelled if none was done).

    Its completion day is what a ``previous_step`` clock counts from; the case is marked
    due so the next pass looks at it. Returns the step's new status, or None.
    """
    if step_code is None:
        return None
    record = session.scalar(select(CaseStep).where(CaseStep.case_id == case_id,
                                                   CaseStep.step_code == step_code))
    if record is None or record.status != "pending":
        return None
    statuses = session.scalars(select(Action.status).where(
        Action.case_id == case_id, Action.step_code == step_code)).all()
    if any(status not in FINISHED for status in statuses):
        return None
    case = session.get(Case, case_id)
    record.status = "done" if "done" in statuses or not statuses else "cancelled"
    record.on_date = local_date(now, case.creditor.timezone)
    mark_due(session, [case_id], now)
    session.flush()
    return record.status


def complete_action(session: Session, action: Action, *, outcome: str | None = None,
                    note: str | None = None) -> None:
    """An action was carried out (a call made, a letter sent): done, and its step settled."""
    now = current_scope(session).now
    action.status, action.done_at = "done", now
    action.outcome = outcome or action.outcome
    action.note = note or action.note
    session.flush()
    settle_step(session, action.case_id, action.step_code, now)
