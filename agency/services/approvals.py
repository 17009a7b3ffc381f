"""Approvals: steps that need a role's approval wait in that role's queue; approved
actions run, rejected ones are cancelled with the reason, both audited. A creditor user
approves only its own creditor's actions whose approver is the creditor (its contract).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from agency.models import Action, Case, User
from agency.services.audit import record
from agency.services.actions import end_action, release
from agency.services.engine.effects import hand_over

# Which approver roles a user's role may decide for.
DECIDES_FOR = {
    "admin": ("direction", "operations_director", "finance_manager", "team_lead"),
    "direction": ("direction", "operations_director", "finance_manager", "team_lead"),
    "team_lead": ("team_lead",),
    "creditor": ("creditor",),
}


class ApprovalError(ValueError):
    pass


@dataclass(frozen=True)
class QueueFilters:
    approver_role: str | None = None
    creditor_id: int | None = None
    kind: str | None = None
    step: str | None = None


def approver_roles_for(user: User) -> tuple[str, ...]:
    return DECIDES_FOR.get(user.role, ())


def _pending(user: User):
    query = (select(Action).join(Case, Case.id == Action.case_id)
             .where(Action.approval == "pending", Action.status == "waiting_approval",
                    Action.approver_role.in_(approver_roles_for(user))))
    if user.role == "creditor":
        query = query.where(Case.creditor_id == user.creditor_id)
    return query


def approval_queue(session: Session, user: User, filters: QueueFilters = QueueFilters(),
                   limit: int = 200) -> tuple[list[Action], int]:
    """The pending approvals this user may decide, filtered; (page, total)."""
    query = _pending(user)
    for column, value in ((Action.approver_role, filters.approver_role),
                          (Case.creditor_id, filters.creditor_id), (Action.kind, filters.kind),
                          (Action.step_code, filters.step)):
        if value:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.options(selectinload(Action.assignee), selectinload(Action.case))
                           .order_by(Action.due_at, Action.id).limit(limit)).all()
    return list(rows), total or 0


def decide(session: Session, user: User, action_ids: list[int], *, approve: bool,
           reason: str | None = None) -> int:
    """Approve or reject the given pending actions this user may decide; how many."""
    if not approve and not (reason and reason.strip()):
        raise ApprovalError("a rejection needs a reason")
    if not action_ids:
        return 0
    actions = session.scalars(_pending(user).where(Action.id.in_(action_ids))).all()
    if len(actions) != len(set(action_ids)):
        raise LookupError("unknown action, or not one this user may decide")
    for action in actions:
        (_approve if approve else _reject)(session, user, action, (reason or "").strip() or None)
    return len(actions)


def _approve(session: Session, user: User, action: Action, reason: str | None) -> None:
    action.approval, action.approved_by_id, action.approval_reason = "approved", user.id, reason
    release(session, action)
    case = session.get(Case, action.case_id)
    record(session, verb="action.approved", case=case, reason=reason,
           changes={"action_id": [None, action.id], "step": [None, action.step_code]})
    if action.kind == "handover":
        hand_over(session, action, reason)  # the approval just recorded names the step
    session.flush()


def _reject(session: Session, user: User, action: Action, reason: str | None) -> None:
    action.approval, action.approved_by_id, action.approval_reason = "rejected", user.id, reason
    case = session.get(Case, action.case_id)
    record(session, verb="action.rejected", case=case, reason=reason,
           changes={"action_id": [None, action.id], "step": [None, action.step_code]})
    end_action(session, action, status="cancelled", outcome="rejected", note=reason)
