"""Periodic jobs, declared as data, enqueued by `agency scheduler`.

Each entry runs either every ``every`` (slots aligned on the epoch) or daily at
``at`` in ``zone``. A slot is claimed in Redis with SET NX before it is enqueued, so
several schedulers, or a restarted one, never enqueue the same slot twice; after a
downtime only the latest missed slot runs (the jobs themselves catch up).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from rq import Queue

from agency.domain.timezones import UTC, now_utc
from workers.accounts import forget_login_failures
from workers.engine import daily_pass
from workers.messages import send_due_messages
from workers.privacy import purge_personal_data

log = logging.getLogger(__name__)
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Periodic:
    name: str
    func: Callable  # a @job function taking the slot instant as an ISO string
    every: timedelta | None = None
    at: time | None = None
    zone: str = "UTC"

    def latest_slot(self, now: datetime) -> datetime:
        """The most recent slot at or before ``now``."""
        if self.every is not None:
            elapsed = (now - _EPOCH) // self.every
            return _EPOCH + elapsed * self.every
        local = now.astimezone(ZoneInfo(self.zone))
        slot = datetime.combine(local.date(), self.at, tzinfo=ZoneInfo(self.zone))
        if slot > local:
            slot = datetime.combine(local.date() - timedelta(days=1), self.at,
                                    tzinfo=ZoneInfo(self.zone))
        return slot.astimezone(UTC)


def _periodic() -> list[Periodic]:
    """The schedule."""
    return [Periodic("messages.send_due", send_due_messages, every=timedelta(minutes=5)),
            Periodic("accounts.forget_login_failures", forget_login_failures, at=time(3, 0)),
            Periodic("engine.daily_pass", daily_pass, at=time(6, 0), zone="UTC"),
            Periodic("engine.hourly_pass", daily_pass, every=timedelta(hours=1)),
            Periodic("privacy.purge", purge_personal_data, at=time(2, 30), zone="UTC")]


def enqueue_due(connection, now: datetime | None = None) -> list[str]:
    """Enqueue every entry whose latest slot was not claimed yet; returns the claimed keys."""
    now = now or now_utc()
    claimed = []
    for entry in _periodic():
        slot = entry.latest_slot(now)
        key = f"recouvra:periodic:{entry.name}:{slot.isoformat()}"
        if not connection.set(key, "1", nx=True, ex=7 * 24 * 3600):
            continue
        options = entry.func.job_options
        job_id = f"periodic-{entry.name.replace('.', '_')}-{int(slot.timestamp())}"
        Queue(options.queue, connection=connection).enqueue(
            entry.func, args=(slot.isoformat(),), job_timeout=options.timeout,
            failure_ttl=options.failure_ttl, job_id=job_id)
        claimed.append(key)
    return claimed


def run_scheduler(connection, interval_seconds: int = 30,
                  stop: threading.Event | None = None) -> None:
    """Every ``interval_seconds``, enqueue what is due; until ``stop`` is set."""
    stop = stop or threading.Event()
    while not stop.is_set():
        for key in enqueue_due(connection):
            log.info("enqueued %s", key)
        stop.wait(interval_seconds)


def run_in_process(app, interval_seconds: int = 30, stop: threading.Event | None = None) -> None:
    """Without Redis (the demo): run each entry's latest slot inline, once, in a loop,
    until ``stop`` is set."""
    stop = stop or threading.Event()
    done: set[tuple[str, datetime]] = set()
    while not stop.is_set():
        with app.app_context():
            now = now_utc()
            for entry in _periodic():
                slot = entry.latest_slot(now)
                if (entry.name, slot) not in done:
                    done.add((entry.name, slot))
                    try:
                        entry.func(slot.isoformat())
                    except Exception:  # noqa: BLE001 - keep the demo's loop alive, but say so
                        log.exception("periodic job %s failed", entry.name)
        stop.wait(interval_seconds)
