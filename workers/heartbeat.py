"""The heartbeat: a periodic job that does nothing but say a worker ran it, so `agency doctor`
sees the whole path (scheduler, Redis, a worker on the ``high`` queue) working."""
from __future__ import annotations

from flask import current_app

from agency.domain.timezones import now_utc
from workers.periodic_state import record_heartbeat
from workers.queues import job, job_app_context, redis_connection


@job(queue="high", timeout=60, retries=())
def heartbeat(slot: str | None = None) -> str:
    """Record this run (slot, instant, process) in Redis; in-process, the loop records it."""
    with job_app_context():
        if current_app.config.get("REDIS_URL"):
            record_heartbeat(redis_connection(), slot or "", now_utc())
        return slot or ""
