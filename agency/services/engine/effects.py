"""What the engine does itself with the actions it made: hand a case over (phase, team),
and close a step of the pass that has nothing left to do.

Handovers in a pass are applied set-based; the audit rows the ORM listener would write
are inserted alongside (actor from the pass's scope). An approved handover goes through
the ORM and its listener instead. Either way the action ends through
``agency.services.actions``, which settles its step.
"""
from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from agency.models import Action, AuditEvent, Case, Team
from agency.models.playbook import PlaybookStep, PlaybookStepAction
from agency.services.actions import end_action, end_actions, settle_pass_steps
from agency.services.audit import current_scope, give_reason
from agency.services.engine.batch import Batch
from agency.services.sql import run, run_many

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
    end_actions(session, [r[0] for r in rows], status="done", outcome="handed_over",
                mark=False)
    return len(rows)


def _team_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Team.code, Team.id)).all())


def close_finished_steps(session: Session, batch: Batch) -> None:
    """A step of this pass whose actions are all finished is done today.

    Actions are made open (due, planned, waiting for approval); only the pass's handovers
    finish at once (and settle their steps as they end). So only steps with no action made
    open for certain (no action, or only handovers and conditional ones) can finish now:
    the others are not looked up."""
    codes = tuple(session.scalars(select(PlaybookStep.code).distinct().where(
        ~select(PlaybookStepAction.id).where(
            PlaybookStepAction.step_id == PlaybookStep.id, PlaybookStepAction.kind != "handover",
            PlaybookStepAction.overdue_above_minor.is_(None),
            PlaybookStepAction.no_payment_since_days.is_(None),
            PlaybookStepAction.promise_broken.is_(False),
            PlaybookStepAction.plan_broken.is_(False)).exists())))
    if codes:
        settle_pass_steps(session, batch.pass_id, codes, batch.today)


def hand_over(session: Session, action: Action, reason: str | None) -> None:
    """Carry out one approved handover through the ORM (its change is audited at flush)."""
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
    session.flush()
    end_action(session, action, status="done", outcome="handed_over")
