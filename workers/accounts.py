"""Periodic upkeep of sign-in records."""
from __future__ import annotations

from agency.domain.timezones import now_utc, parse_instant
from agency.extensions import db
from agency.services.accounts.login import forget_old_failures
from workers.queues import job, job_app_context


@job(queue="low", timeout=300)
def forget_login_failures(slot: str | None = None) -> int:
    """Daily: drop failed-login counts older than a day that lock nothing."""
    with job_app_context():
        now = max(parse_instant(slot), now_utc()) if slot else now_utc()
        deleted = forget_old_failures(db.session, now=now)
        db.session.commit()
    return deleted
