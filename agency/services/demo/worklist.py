"""Demo: give the demo's open cases a due call, so that 'Mes appels' is not empty."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from agency.models import Action, Case
from agency.models.calls import CALL_KINDS, OPEN_STATUSES
from agency.services.audit import current_scope


def seed_worklist_demo(session: Session, limit: int = 200) -> int:
    """A due call on each open, assigned case that has no open call yet; returns how many."""
    now = current_scope(session).now
    has_call = exists().where(Action.case_id == Case.id, Action.kind.in_(CALL_KINDS),
                              Action.status.in_(OPEN_STATUSES))
    cases = session.scalars(select(Case).where(Case.status == "open", Case.agent_id.is_not(None), ~has_call)
                            .order_by(Case.id).limit(limit)).all()
    for index, case in enumerate(cases):
        session.add(Action(case_id=case.id, kind="call", step_code="demo-call", status="due",
                           due_at=now - timedelta(minutes=5 + index), assignee_role="agent",
                           claim_ids=[], created_at=now))
    session.flush()
    return len(cases)
