"""The end of an action, owned here: every path that stops an action comes through this
module, and no other module writes ``action.status`` (tests/test_action_owner.py).

An action ends once: done with its outcome, skipped, cancelled or failed. Ending it writes
an audit event (``action.done``, ``action.cancelled`` ...), settles its playbook step and
marks the case due for the next pass. A step is settled when none of its actions is left
unfinished: done if one of them was done (or it had none), cancelled otherwise; its day,
in the creditor's calendar, is what a ``previous_step`` clock counts from. The paths: a
call logged, a partner's report, an approval rejected, a handover carried out (one
approved, or the pass's, set-based), a closed or paid case, the case page's buttons and
``agency action``. The two changes of an open action (approved: planned or due; entrusted
to a partner: due) live here too.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import case as when_then
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from agency.domain.actions import (
    FINISHED_STATUSES, UNFINISHED_STATUSES, WORKABLE_STATUSES, check_completion,
)
from agency.domain.timezones import local_date
from agency.models import Action, AuditEvent, Case, Creditor, Partner, User
from agency.models.playbook import CaseEngine, CaseStep, PlaybookStep
from agency.services.audit import current_scope, record
from agency.services.calls.facts import covered_agents
from agency.services.case_queries import CASE_PAGE_SIZE
from agency.services.engine.sweep import mark_due
from agency.services.paging import Page, page_of
from agency.services.sql import run

CHUNK = 5_000  # ids per statement in the set-based paths (SQLite's bound-parameter limit)


class ActionError(ValueError):
    """An action that may not end so (already ended, unknown outcome, wrong path)."""


def end_action(session: Session, action: Action, *, status: str, outcome: str | None = None,
               note: str | None = None, at: datetime | None = None) -> Action:
    """End one open action: audited, its step settled, its case due for the engine.

    ``at`` is when it happened (``agency action complete --at``), else the scope's instant."""
    if status not in FINISHED_STATUSES:
        raise ActionError(f"unknown end status {status}")
    if action.status not in UNFINISHED_STATUSES:
        raise ActionError(f"action {action.id} is already {action.status}")
    now = current_scope(session).now
    happened = at or now
    before = action.status
    action.status, action.done_at = status, happened
    action.outcome = outcome or action.outcome
    action.note = note or action.note
    case = session.get(Case, action.case_id)
    record(session, verb=f"action.{status}", case=case, reason=note, changes=_changes(
        action.id, action.kind, action.step_code, before, status, action.outcome))
    session.flush()
    if action.step_code is not None:
        day = local_date(happened, case.creditor.timezone)
        settle_steps(session, [action.id], day, sync=True)
    mark_due(session, [case.id], min(happened, now))  # from when it happened, if earlier
    return action


def complete_action(session: Session, action: Action, *, outcome: str | None = None,
                    note: str | None = None, at: datetime | None = None) -> Action:
    """A person says the action was carried out (a visit made, a letter posted)."""
    try:
        outcome = check_completion(action.kind, action.status, outcome)
    except ValueError as exc:
        raise ActionError(str(exc)) from None
    return end_action(session, action, status="done", outcome=outcome, note=note, at=at)


def cancel_action(session: Session, action: Action, *, reason: str) -> Action:
    """Staff withdraw an open action, saying why."""
    if not reason or not reason.strip():
        raise ActionError("cancelling an action needs a reason")
    return end_action(session, action, status="cancelled", outcome="withdrawn",
                      note=reason.strip())


def end_actions(session: Session, action_ids: Iterable[int], *, status: str,
                outcome: str | None = None, reason: str | None = None, mark: bool = True) -> int:
    """End many open actions set-based, as ``end_action`` does one; how many ended.

    For the set-based paths: the daily pass's handovers, a closed or paid case's actions.
    The pass gives ``mark=False``: it dated each case's next step itself, as if what it
    fired ended today, so the case need not be looked at again."""
    if status not in FINISHED_STATUSES:
        raise ActionError(f"unknown end status {status}")
    ids = sorted(set(action_ids))
    ended = 0
    for start in range(0, len(ids), CHUNK):
        ended += _end_chunk(session, ids[start:start + CHUNK], status, outcome, reason, mark)
    return ended


def _end_chunk(session: Session, ids: list[int], status: str, outcome: str | None,
               reason: str | None, mark: bool) -> int:
    scope = current_scope(session)
    rows = session.execute(
        select(Action.id, Action.kind, Action.step_code, Action.status, Action.outcome,
               Case.id, Case.debtor_id, Case.creditor_id, Creditor.timezone)
        .join(Case, Case.id == Action.case_id).join(Creditor, Creditor.id == Case.creditor_id)
        .where(Action.id.in_(ids), Action.status.in_(UNFINISHED_STATUSES))).all()
    if not rows:
        return 0
    open_ids = ", ".join(str(int(row[0])) for row in rows)
    run(session, f"""UPDATE action SET status = :status, done_at = :now,
                            outcome = coalesce(:outcome, outcome)
                     WHERE id IN ({open_ids})""", status=status, now=scope.now, outcome=outcome)
    session.execute(insert(AuditEvent), [dict(
        at=scope.now, case_id=case_id, debtor_id=debtor_id, creditor_id=creditor_id,
        actor_id=scope.actor.user_id, actor_label=scope.actor.label, verb=f"action.{status}",
        reason=reason if reason is not None else scope.reason,
        changes=_changes(action_id, kind, step, before, status, outcome or previous))
        for action_id, kind, step, before, previous, case_id, debtor_id, creditor_id, _ in rows])
    _settle_by_zone(session, rows, scope.now)
    if mark:
        mark_due(session, sorted({row[5] for row in rows}), scope.now)
    session.expire_all()  # the ORM's copies of these actions and steps are stale now
    return len(rows)


def _settle_by_zone(session: Session, rows, now: datetime) -> None:
    """Each step settles on its creditor's calendar day."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row[2] is not None:
            by_zone[row[8]].append(row[0])
    for zone, zone_ids in by_zone.items():
        settle_steps(session, zone_ids, local_date(now, zone))


def _changes(action_id: int, kind: str, step: str | None, before: str, status: str,
             outcome: str | None) -> dict:
    return {"action_id": [None, action_id], "kind": [None, kind], "step": [None, step],
            "status": [before, status], "outcome": [None, outcome]}


def settle_steps(session: Session, action_ids: list[int], day: date, *, sync: bool = False) -> int:
    """Settle the pending steps of these actions once none of their actions is unfinished."""
    ids = select(Action.id).where(Action.id.in_(action_ids), Action.case_id == CaseStep.case_id,
                                  Action.step_code == CaseStep.step_code).exists()
    return _settle(session, day, [ids], sync)


def settle_pass_steps(session: Session, pass_id: str, codes: tuple[str, ...], day: date) -> int:
    """The daily pass: settle its steps (of these codes) that have nothing unfinished."""
    return _settle(session, day, [CaseStep.pass_id == pass_id, CaseStep.step_code.in_(codes)],
                   sync=False)


def _settle(session: Session, day: date, conditions: list, sync: bool) -> int:
    of_step = select(Action.id).where(Action.case_id == CaseStep.case_id,
                                      Action.step_code == CaseStep.step_code)
    unfinished = of_step.where(Action.status.in_(UNFINISHED_STATUSES)).exists()
    done = of_step.where(Action.status == "done").exists()
    statement = (update(CaseStep).where(CaseStep.status == "pending", ~unfinished, *conditions)
                 .values(status=when_then((done | ~of_step.exists(), "done"), else_="cancelled"),
                         on_date=day)
                 .execution_options(synchronize_session="fetch" if sync else False))
    return session.execute(statement).rowcount or 0


def cancel_open_actions(session: Session, case_ids: list[int], *, outcome: str,
                        reason: str | None = None) -> int:
    """A case closed or paid: every action still open on it is cancelled."""
    ids: list[int] = []
    for start in range(0, len(case_ids), CHUNK):
        ids += session.scalars(select(Action.id).where(
            Action.case_id.in_(case_ids[start:start + CHUNK]),
            Action.status.in_(UNFINISHED_STATUSES))).all()
    return end_actions(session, ids, status="cancelled", outcome=outcome, reason=reason)


def release(session: Session, action: Action) -> None:
    """An approved action is open for work: due if its time has come, else planned."""
    if action.status != "waiting_approval":
        raise ActionError(f"action {action.id} is not waiting for approval")
    action.status = "due" if action.due_at <= current_scope(session).now else "planned"
    session.flush()


def entrust(session: Session, action: Action, partner: Partner) -> None:
    """An open action given to an external partner: it is theirs to do now."""
    if action.status not in WORKABLE_STATUSES:
        raise ActionError(f"action {action.id} is not open for work ({action.status})")
    action.partner_id, action.status = partner.id, "due"
    session.flush()


MANAGER_ROLES = ("admin", "direction", "team_lead")


def may_complete(session: Session, user: User, case: Case, action: Action, today: date) -> bool:
    """Leads, the direction and admins end any action; an agent those of the cases it works
    (its own, its absent partner's) and those assigned to it."""
    if user.role in MANAGER_ROLES:
        return True
    if user.role != "agent":
        return False
    agents = covered_agents(session, user, today)
    return action.assignee_id in agents or (action.assignee_id is None and case.agent_id in agents)


def may_cancel(user: User) -> bool:
    """Withdrawing what the playbook planned is a lead's decision (or the direction's)."""
    return user.role in MANAGER_ROLES


def case_actions(session: Session, case: Case, page: int | None = 1,
                 per_page: int = CASE_PAGE_SIZE) -> tuple[list[Action], Page]:
    """The case's unfinished actions (by due time), then a page of its finished ones (latest
    first): however long a case's history, its page reads a bounded number of rows."""
    unfinished = list(session.scalars(
        select(Action).where(Action.case_id == case.id, Action.status.in_(UNFINISHED_STATUSES))
        .order_by(Action.due_at, Action.id).limit(per_page)))
    finished = page_of(session, select(Action).where(
        Action.case_id == case.id, Action.status.not_in(UNFINISHED_STATUSES))
        .order_by(func.coalesce(Action.done_at, Action.due_at).desc(), Action.id.desc()),
        page, per_page)
    return unfinished, finished


def step_titles(session: Session, case: Case) -> dict[str, str]:
    """The titles of the steps of the case's playbook version, by code."""
    return dict(session.execute(
        select(PlaybookStep.code, PlaybookStep.title)
        .join(CaseEngine, CaseEngine.version_id == PlaybookStep.version_id)
        .where(CaseEngine.case_id == case.id, PlaybookStep.title.is_not(None))).all())
