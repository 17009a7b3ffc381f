"""The daily pass: everything the playbooks have due at an instant, for every creditor.

``run_pass(session, now=...)`` (called by ``agency tick`` and the scheduled job, inside an
audit scope) settles promises, enrols new cases, marks the cases an event touched since
the last pass, then, creditor by creditor, takes the cases whose ``next_step_at`` is due
on the creditor's calendar, in batches, and decides them in SQL (engine_decide) or, for
the few with holds, pauses or a previous-step step falling due, with ``schedule.evaluate``
(engine_python). Running it again at the same instant finds nothing due; records are
unique per case and step, so two passes at once cannot fire a step twice.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.timezones import UTC, local_date
from agency.models import Creditor
from agency.models.playbook import CaseEngine, EnginePass
from agency.oplog import Operation, operation
from agency.services.audit import current_scope
from agency.services.calls.promises import check_promises
from agency.services.creditors.contact import creditor_verdict
from agency.services.creditors.terms import terms_in_force
from agency.services.engine.batch import (
    Batch, batch_zones, load_claims, python_case_ids, route_special_cases, select_due,
    set_due_instants, step_dates,
)
from agency.services.engine.decide import sql_path
from agency.services.engine.effects import close_finished_steps, execute_handovers
from agency.services.engine.python_path import python_path
from agency.services.engine.sql import clear_temp_tables, prepare_temp_tables
from agency.services.sql import run
from agency.services.engine.sweep import enrol_new_cases, mark_changed_cases

ACTION_HOUR = time(8, 0)  # actions fall due at 08:00 in the debtor's zone
BATCH_SIZE = 100_000  # a typical day's due cases in one batch: each big table read once
CREDITOR_COUNTS = ("cases", "held", "errors", "actions_created", "waiting_approval",
                   "blocked_no_mandate")


def run_pass(session: Session, *, now: datetime, batch_size: int = BATCH_SIZE) -> dict:
    """Run what is due at ``now``; the counts of what was done."""
    with operation("engine.pass", at=now.isoformat()) as op:
        counts = _run_pass(session, now, batch_size, op)
        op.result(counts)
    return counts


def _run_pass(session: Session, now: datetime, batch_size: int, op: Operation) -> dict:
    pass_id = uuid.uuid4().hex
    started = current_scope(session).now
    settled = _settle_promises(session, now)
    previous = session.scalar(select(EnginePass).order_by(EnginePass.id.desc()).limit(1))
    enrolled, watermarks = enrol_new_cases(session, now=now, previous=previous)
    touched = mark_changed_cases(session, now=now, previous=previous, watermarks=watermarks)
    counts = dict.fromkeys(CREDITOR_COUNTS, 0)
    for creditor in _creditors_with_cases(session):
        for key, value in _run_creditor(session, creditor, now, pass_id, batch_size).items():
            counts[key] += value
    counts.update(_pass_counts(session, pass_id), enrolled=enrolled, events=touched,
                  promises=settled)
    # The scope's instant is the pass's start on its own timeline (a replay's too); how long
    # it took is measured, not read from a clock, so the end is the start plus that.
    finished = started + timedelta(seconds=op.elapsed())
    session.add(EnginePass(pass_id=pass_id, at=now, started_at=started, finished_at=finished,
                           counts=counts | {"watermarks": watermarks}))
    session.flush()
    session.expire_all()
    return counts | {"pass_id": pass_id, "at": now.isoformat()}


def _settle_promises(session: Session, now: datetime) -> int:
    """The workspace's promise check runs first, so broken promises resume today."""
    return sum(check_promises(session, now=now).values())


def _creditors_with_cases(session: Session) -> list[Creditor]:
    # EXISTS probes the (creditor_id, next_step_at) index; DISTINCT would read every row.
    enrolled = select(CaseEngine.case_id).where(CaseEngine.creditor_id == Creditor.id).exists()
    return list(session.scalars(select(Creditor).where(enrolled).order_by(Creditor.id)))


def _run_creditor(session: Session, creditor: Creditor, now: datetime, pass_id: str,
                  batch_size: int) -> dict[str, int]:
    today = local_date(now, creditor.timezone)
    terms = terms_in_force(session, creditor.id, today)
    batch = Batch(creditor.id, creditor.timezone, terms.payment_term_days, today, now, pass_id)
    counts = dict.fromkeys(CREDITOR_COUNTS, 0)
    if not _has_due_cases(session, batch):
        return counts
    if not creditor_verdict(session, creditor).allowed:
        # No work before the written mandate (CPCE R124-3): its due cases wait, unrecorded,
        # and the first pass after the mandate is recorded takes them as due that day.
        counts["blocked_no_mandate"] = _due_count(session, batch)
        return counts
    rules = terms.action_approvals()
    prepare_temp_tables(session)
    after = 0
    while ids := select_due(session, batch, after, batch_size):
        for key, value in _run_batch(session, batch, rules).items():
            counts[key] += value
        after = ids[-1]
        clear_temp_tables(session)
    # Once per creditor, not per batch: each reads all of the pass's step records so far.
    execute_handovers(session, batch)
    close_finished_steps(session, batch)
    return counts


def _has_due_cases(session: Session, batch: Batch) -> bool:
    """A cheap index probe, so a pass with nothing due does no per-creditor work."""
    return run(session, """SELECT 1 FROM case_engine WHERE creditor_id = :creditor
                           AND next_step_at <= :today LIMIT 1""",
               creditor=batch.creditor_id, today=batch.today).first() is not None


def _due_count(session: Session, batch: Batch) -> int:
    return run(session, """SELECT count(*) FROM case_engine WHERE creditor_id = :creditor
                           AND next_step_at <= :today""",
               creditor=batch.creditor_id, today=batch.today).scalar()


def _run_batch(session: Session, batch: Batch, rules: dict[str, str]) -> dict[str, int]:
    load_claims(session, batch)
    route_special_cases(session)
    step_dates(session, batch)
    instants = {zone: due_instant(batch.today, zone) for zone in batch_zones(session)}
    set_due_instants(session, instants)
    counts = sql_path(session, batch, rules)
    counts["cases"] = run(session, "SELECT count(*) FROM tick_case").scalar()
    for key, value in python_path(session, batch, python_case_ids(session), rules, instants).items():
        counts[key] = counts.get(key, 0) + value
    return counts


def _pass_counts(session: Session, pass_id: str) -> dict[str, int]:
    """The pass's step records by status (the actions were counted as they were made)."""
    steps = dict(run(session, """SELECT status, count(*) FROM case_step WHERE pass_id = :pass
                                 GROUP BY status""", **{"pass": pass_id}).all())
    return {"steps_fired": sum(n for s, n in steps.items() if s != "skipped"),
            "skipped": steps.get("skipped", 0)}


def due_instant(day: date, zone: str) -> datetime:
    """08:00 on ``day`` in ``zone``, as a UTC instant."""
    return datetime.combine(day, ACTION_HOUR, tzinfo=ZoneInfo(zone)).astimezone(UTC)
