"""Before the pass: enrol cases opened since the last one, and mark the cases an event
touched (a new claim, a promise, plan or dispute made or settled) as due now.

Watermarks (the highest case and claim ids seen) come from the previous pass's record,
so the sweep reads only new rows through primary keys instead of every case.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from agency.domain.playbook import PlaybookError
from agency.domain.timezones import local_date
from agency.models import Case, Claim, Creditor
from agency.models.playbook import CaseEngine, EnginePass
from agency.services.sql import run
from agency.services.engine.playbooks import adopt_playbook, find_version

EPOCH = datetime(1970, 1, 1)


def _watermark(previous: EnginePass | None, key: str) -> int:
    if previous is None:
        return 0
    return int((previous.counts or {}).get("watermarks", {}).get(key, 0))


def enrol_new_cases(session: Session, *, now: datetime, previous: EnginePass | None,
                    ) -> tuple[int, dict[str, int]]:
    """Open cases of creditors with a playbook, not yet under one: enrolled, due now."""
    top_case = session.scalar(select(func.max(Case.id))) or 0
    top_claim = session.scalar(select(func.max(Claim.id))) or 0
    enrolled = 0
    for creditor in session.scalars(select(Creditor).where(Creditor.playbook_name.is_not(None))):
        enrolled += enrol_creditor(session, creditor, now=now,
                                   after_id=_watermark(previous, "case"), up_to_id=top_case)
    return enrolled, {"case": top_case, "claim": top_claim}


def enrol_creditor(session: Session, creditor: Creditor, *, now: datetime, after_id: int = 0,
                   up_to_id: int | None = None) -> int:
    """Enrol the creditor's open cases (ids in the range) on its playbook's latest version."""
    version = find_version(session, creditor.playbook_name)
    if version is None:
        try:
            version = adopt_playbook(session, creditor, creditor.playbook_name)
        except (PlaybookError, KeyError):
            return 0  # an unknown playbook name: nothing to run until it is imported
    result = run(session, f"""
        INSERT INTO case_engine (case_id, creditor_id, version_id, next_step_at, state,
                                 enrolled_on, updated_at)
        SELECT c.id, c.creditor_id, :version, :due, 'active', :today, :now
        FROM collection_case c
        WHERE c.creditor_id = :creditor AND c.status = 'open' AND c.id > :after
          {'AND c.id <= :upto' if up_to_id is not None else ''}
        ON CONFLICT (case_id) DO NOTHING""",
        version=version.id, due=now.date() - timedelta(days=1),
        today=local_date(now, creditor.timezone), now=now, creditor=creditor.id,
        after=after_id, upto=up_to_id)
    return result.rowcount or 0


def mark_changed_cases(session: Session, *, now: datetime, previous: EnginePass | None,
                       watermarks: dict[str, int]) -> int:
    """Cases with new claims or commitments made or settled since the last pass: due now."""
    since = previous.at if previous is not None else EPOCH.replace(tzinfo=now.tzinfo)
    result = run(session, """
        UPDATE case_engine SET next_step_at = :due
        WHERE (next_step_at IS NULL OR next_step_at > :due) AND case_id IN (
            SELECT case_id FROM claim WHERE id > :after_claim AND id <= :top_claim
            UNION SELECT case_id FROM payment_promise
                  WHERE created_at >= :since OR resolved_at >= :since
            UNION SELECT case_id FROM instalment_plan
                  WHERE created_at >= :since OR signed_at >= :since OR ended_at >= :since
            UNION SELECT case_id FROM dispute WHERE created_at >= :since OR resolved_at >= :since)""",
        due=now.date() - timedelta(days=1), after_claim=_watermark(previous, "claim"),
        top_claim=watermarks["claim"], since=since)
    return result.rowcount or 0


def mark_due(session: Session, case_ids: list[int], now: datetime) -> int:
    """An event touched these cases: the next pass evaluates them (whatever their zone)."""
    if not case_ids:
        return 0
    day = now.date() - timedelta(days=1)
    result = session.execute(
        CaseEngine.__table__.update().where(
            CaseEngine.case_id.in_(case_ids),
            # never later than it was: an earlier look is already planned
            or_(CaseEngine.next_step_at.is_(None), CaseEngine.next_step_at > day))
        .values(next_step_at=day))
    return result.rowcount
