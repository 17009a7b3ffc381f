"""What other areas do with the cases an import opens or changes: assign them to a team
and an agent, and have the playbook engine (re)compute when to look at them next.

Kept in one place so the import steps stay free of the engine's and the worklist's inner
workings; each call is in bulk, per chunk.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from agency.models import Creditor
from agency.services.calls.assignment import plan_assignment
from agency.services.engine.sweep import enrol_creditor, mark_due
from agency.services.sql import copy_rows, run


def chunk_case_ids(session: Session) -> tuple[list[int], list[int]]:
    """(cases the chunk opened, known cases whose claims it added or changed)."""
    new = list(run(session, "SELECT case_id FROM intake_case WHERE is_new = 1").scalars())
    changed = list(run(session, """
        SELECT DISTINCT cl.case_id FROM intake_row r JOIN claim cl ON cl.id = r.claim_id
        WHERE (r.is_new = 1 OR r.changed = 1)
          AND cl.case_id NOT IN (SELECT case_id FROM intake_case WHERE is_new = 1)""").scalars())
    return new, changed


def assign_staged_cases(session: Session, creditor_id: int) -> None:
    """The team and agent of each case the chunk is about to open (services.assignment),
    staged in ``intake_assign`` so the cases are created assigned, in file order."""
    keys = run(session, "SELECT case_key FROM intake_case WHERE is_new = 1 ORDER BY first_line").scalars().all()
    plan = plan_assignment(session, ((key, "amicable", creditor_id) for key in keys),
                           lambda: _staged_balances(session))
    copy_rows(session, "intake_assign", ("case_key", "team_id", "agent_id"),
               [(key, team_id, agent_id) for key, (team_id, agent_id) in plan.items()])


def _staged_balances(session: Session) -> dict[str, int]:
    """A new case's balance to be: the sum of its rows' amounts in the chunk."""
    return dict(run(session, "SELECT case_key, sum(amount) FROM intake_row GROUP BY case_key").all())


def after_chunk(session: Session, creditor: Creditor, new_ids: list[int], changed_ids: list[int],
                now: datetime) -> None:
    """Enrol the new cases on the creditor's playbook, mark changed ones due."""
    if new_ids:
        enrol_new_cases(session, creditor, new_ids, now)
    if changed_ids:
        mark_due(session, changed_ids, now)


def enrol_new_cases(session: Session, creditor: Creditor, case_ids: list[int], now: datetime) -> None:
    """Put the new cases under the creditor's playbook, due at the next engine pass."""
    if not creditor.playbook_name:
        return
    enrol_creditor(session, creditor, now=now, after_id=min(case_ids) - 1, up_to_id=max(case_ids))
