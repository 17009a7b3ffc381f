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
    return _enrol(session, creditor, version.id, now, after_id, up_to_id)


def _enrol(session: Session, creditor: Creditor, version_id: int, now: datetime, after_id: int,
           up_to_id: int | None) -> int:
    result = run(session, f"""
        INSERT INTO case_engine (case_id, creditor_id, version_id, next_step_at, state,
                                 enrolled_on, updated_at)
        SELECT c.id, c.creditor_id, :version, :due, 'active', :today, :now
        FROM collection_case c
        WHERE c.creditor_id = :creditor AND c.status = 'open' AND c.id > :after
          {'AND c.id <= :upto' if up_to_id is not None else ''}
        ON CONFLICT (case_id) DO NOTHING""",
        version=version_id, due=now.date() - timedelta(days=1),
        today=local_date(now, creditor.timezone), now=now, creditor=creditor.id,
        after=after_id, upto=up_to_id)
    return result.rowcount or 0


_OPEN_CASES = "SELECT id FROM collection_case WHERE creditor_id = :creditor AND status = 'open'"


def reenrol_creditor(session: Session, creditor: Creditor, version_id: int | None, *,
                     now: datetime) -> dict[int, int | None]:
    """Put the creditor's open cases on ``version_id`` (None: no playbook, they stop), due at
    the next pass; the steps already recorded stay. case id -> its previous version id (None
    when it was not enrolled), for the cases whose version changed."""
    rows = run(session, """
        SELECT c.id, ce.version_id FROM collection_case c
        LEFT JOIN case_engine ce ON ce.case_id = c.id
        WHERE c.creditor_id = :creditor AND c.status = 'open'""", creditor=creditor.id).all()
    moved = {case_id: old for case_id, old in rows if old is not None and old != version_id}
    if version_id is None:
        run(session, f"""UPDATE case_engine SET state = 'stopped', next_step_at = NULL,
                         updated_at = :now WHERE case_id IN ({_OPEN_CASES})""",
            now=now, creditor=creditor.id)
        return moved
    if moved:
        run(session, f"""
            UPDATE case_engine SET version_id = :version, next_step_at = :due, state = 'active',
                   current_step = NULL, waiting_step = NULL, last_error = NULL, updated_at = :now
            WHERE version_id <> :version AND case_id IN ({_OPEN_CASES})""",
            version=version_id, due=now.date() - timedelta(days=1), now=now,
            creditor=creditor.id)
    new = [case_id for case_id, old in rows if old is None]
    if new:
        _enrol(session, creditor, version_id, now, min(new) - 1, max(new))
    return moved | dict.fromkeys(new)


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
