"""Periodic jobs, declared as data, enqueued by `agency scheduler`.

Each entry runs either every ``every`` (slots aligned on the epoch) or daily at
``at`` in ``zone``. One scheduler at a time enqueues: it holds a lock in Redis that it
renews every interval, and a second one waits for it (workers/periodic_state.py). A slot
is also claimed in Redis with SET NX before it is enqueued, so two schedulers, or a
restarted one, never enqueue the same slot twice; after a downtime only the latest missed
slot runs (the jobs themselves catch up).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rq import Queue

from agency.domain.timezones import UTC, now_utc
from agency.oplog import event
from workers.accounts import forget_login_failures
from workers.engine import daily_pass
from workers.heartbeat import heartbeat
from workers.messages import send_due_messages
from workers.periodic_state import STATE_FILE, LocalState, SchedulerLock, record_claim
from workers.privacy import purge_personal_data

_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Periodic:
    name: str
    func: Callable  # a @job function taking the slot instant as an ISO string
    every: timedelta | None = None
    at: time | None = None
    zone: str = "UTC"

    @property
    def period(self) -> timedelta:
        return self.every if self.every is not None else timedelta(days=1)

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
            Periodic("privacy.purge", purge_personal_data, at=time(2, 30), zone="UTC"),
            Periodic("ops.heartbeat", heartbeat, every=timedelta(minutes=1))]


def schedule(overrides: str = "") -> list[Periodic]:
    """The schedule with PERIODIC_SCHEDULE's overrides, comma-separated: ``name=SECONDS``
    runs an entry every so many seconds, ``name=off`` leaves it out."""
    entries = {entry.name: entry for entry in _periodic()}
    for item in filter(None, (part.strip() for part in overrides.split(","))):
        name, _, value = item.partition("=")
        if name not in entries or not value:
            raise ValueError(f"PERIODIC_SCHEDULE: {item!r} is not name=SECONDS or name=off "
                             f"for one of {', '.join(entries)}")
        if value == "off":
            del entries[name]
        else:
            entries[name] = replace(entries[name], every=timedelta(seconds=float(value)), at=None)
    return list(entries.values())


def enqueue_due(connection, now: datetime | None = None,
                entries: list[Periodic] | None = None) -> list[str]:
    """Enqueue every entry whose latest slot was not claimed yet; returns the claimed keys."""
    now = now or now_utc()
    claimed = []
    for entry in _periodic() if entries is None else entries:
        slot = entry.latest_slot(now)
        key = f"recouvra:periodic:{entry.name}:{slot.isoformat()}"
        if not connection.set(key, "1", nx=True, ex=7 * 24 * 3600):
            continue
        options = entry.func.job_options
        job_id = f"periodic-{entry.name.replace('.', '_')}-{int(slot.timestamp())}"
        Queue(options.queue, connection=connection).enqueue(
            entry.func, args=(slot.isoformat(),), job_timeout=options.timeout,
            failure_ttl=options.failure_ttl, job_id=job_id)
        record_claim(connection, entry.name, slot)
        event("scheduler.enqueued", periodic=entry.name, slot=slot.isoformat(), job_id=job_id,
              queue=options.queue)
        claimed.append(key)
    return claimed


def run_scheduler(connection, interval_seconds: float = 30, stop: threading.Event | None = None,
                  entries: list[Periodic] | None = None) -> None:
    """Every ``interval_seconds``, enqueue what is due, while this process holds the
    scheduler's lock (a second scheduler waits for it); until ``stop`` is set."""
    stop = stop or threading.Event()
    lock = SchedulerLock(connection, ttl=3 * interval_seconds)
    try:
        while not stop.is_set():
            if lock.hold():
                enqueue_due(connection, entries=entries)
            stop.wait(interval_seconds)
    finally:
        lock.release()


def run_in_process(app, interval_seconds: float = 30, stop: threading.Event | None = None,
                   entries: list[Periodic] | None = None) -> None:
    """Without Redis (the demo): run each entry's latest slot inline, once, in a loop, until
    ``stop`` is set. A failing run is logged with its traceback and recorded in the
    instance folder's periodic.json, which `agency doctor` reads; the loop goes on."""
    stop = stop or threading.Event()
    state = LocalState(Path(app.instance_path) / STATE_FILE)
    done: set[tuple[str, datetime]] = set()
    while not stop.is_set():
        with app.app_context():
            now = now_utc()
            for entry in _periodic() if entries is None else entries:
                slot = entry.latest_slot(now)
                if (entry.name, slot) not in done:
                    done.add((entry.name, slot))
                    state.record(entry.name, slot, now, _run_inline(entry, slot))
        stop.wait(interval_seconds)


def _run_inline(entry: Periodic, slot: datetime) -> Exception | None:
    """Run one slot; its failure (already logged with its traceback by the job) is returned
    to be recorded, so one broken entry does not stop the others."""
    try:
        entry.func(slot.isoformat())
    except Exception as exc:  # noqa: BLE001 - logged by the job's operation, recorded by the caller
        return exc
    return None
