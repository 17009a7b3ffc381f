"""The platform's health, as `agency doctor` and the admins' status page show it: one
verdict per check (database and migrations, the daily pass, Redis, the workers and their
queues, failed jobs, the scheduler, the providers, the disk).

Checks read; they change nothing. A check that raises becomes a failing verdict naming the
error (logged with its traceback), so one broken part never hides the others.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from redis import Redis
from sqlalchemy.orm import Session

from agency.health.checks import Check, daily_pass, database, disk, providers
from agency.health.queues import failed_jobs, redis_check, scheduler, workers
from workers.schedule import schedule

__all__ = ["CHECK_NAMES", "Check", "run_checks"]
CHECK_NAMES = ("database", "daily_pass", "redis", "workers", "failed_jobs", "scheduler",
               "providers", "disk")
log = logging.getLogger(__name__)


def run_checks(config: Mapping, session: Session, instance_path: str, now: datetime) -> list[Check]:
    """Every check, in CHECK_NAMES order."""
    url = config.get("REDIS_URL")
    connection = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3) if url else None
    entries = schedule(config.get("PERIODIC_SCHEDULE") or "")
    runs: dict[str, Callable[[], Check]] = {
        "database": lambda: database(session),
        "daily_pass": lambda: daily_pass(session, now),
        "redis": lambda: redis_check(connection),
        "workers": lambda: workers(connection, now),
        "failed_jobs": lambda: failed_jobs(connection),
        "scheduler": lambda: scheduler(connection, entries, instance_path, now),
        "providers": lambda: providers(config),
        "disk": lambda: disk(instance_path),
    }
    try:
        return [_guarded(name, runs[name], session) for name in CHECK_NAMES]
    finally:
        if connection is not None:
            connection.close()


def _guarded(name: str, run: Callable[[], Check], session: Session) -> Check:
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - the error is this check's verdict, and logged
        log.exception("health check %s could not run", name)
        session.rollback()
        return Check(name, False, f"could not check: {type(exc).__name__}: {exc}"[:500])
