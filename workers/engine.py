"""The playbooks' daily pass as a job (scheduled daily and hourly in workers/schedule.py)."""
from __future__ import annotations

from agency.domain.timezones import now_utc, parse_instant
from agency.extensions import db
from agency.services.audit import Actor, audit_scope
from agency.services.engine.daily import run_pass
from workers.queues import job, job_app_context


@job(queue="low", timeout=3600)
def daily_pass(slot: str | None = None) -> dict:
    """Run the pass at the slot's instant (never in the future); a re-run finds nothing due."""
    with job_app_context():
        now = min(parse_instant(slot), now_utc()) if slot else now_utc()
        session = db.session
        with audit_scope(session, Actor.system("tick"), now):
            counts = run_pass(session, now=now)
        session.commit()
        return counts
