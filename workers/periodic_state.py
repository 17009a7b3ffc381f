"""What the periodic machinery leaves for `agency doctor` to read, and the scheduler's lock.

With Redis: one scheduler at a time holds ``LOCK_KEY`` (SET NX with a TTL it renews every
interval; another waits and takes over when the holder stops or its lock expires), the
latest slot claimed per entry is kept in ``SLOTS_KEY``, and the heartbeat job pushes each
of its runs on ``HEARTBEAT_KEY``. Without Redis the in-process loop writes its last run per
entry, with its outcome, to a small JSON file in the instance folder.
"""
from __future__ import annotations

import json
import os
import socket
import uuid
from datetime import datetime
from pathlib import Path

from agency.domain.timezones import parse_instant
from agency.oplog import event

LOCK_KEY = "recouvra:scheduler:lock"
SLOTS_KEY = "recouvra:scheduler:slots"
HEARTBEAT_KEY = "recouvra:heartbeat"
HEARTBEATS_KEPT = 1440
STATE_FILE = "periodic.json"

# Renew only while we still hold it (another may have taken it after it expired).
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class SchedulerLock:
    """The right to enqueue periodic jobs: one holder at a time, for ``ttl`` seconds,
    renewed by each ``hold()`` of the holder."""

    def __init__(self, connection, ttl: float) -> None:
        self.connection = connection
        self.ttl_ms = max(int(ttl * 1000), 1000)
        self.token = f"{process_name()}:{uuid.uuid4().hex[:8]}"
        self.held = False
        self._waiting_for: str | None = None

    def hold(self) -> bool:
        """Renew the lock if held, else try to take it; whether this process holds it now."""
        if self.held and not self.connection.eval(_RENEW, 1, LOCK_KEY, self.token, self.ttl_ms):
            self.held = False
            event("scheduler.lock_lost", holder=self.token)
        if not self.held and self.connection.set(LOCK_KEY, self.token, nx=True, px=self.ttl_ms):
            self.held, self._waiting_for = True, None
            event("scheduler.lock_taken", holder=self.token)
        if not self.held:
            holder = _text(self.connection.get(LOCK_KEY))
            if holder != self._waiting_for:
                self._waiting_for = holder
                event("scheduler.waiting", holder=self.token, lock_holder=holder)
        return self.held

    def release(self) -> None:
        if self.held:
            self.connection.eval(_RELEASE, 1, LOCK_KEY, self.token)
            self.held = False
            event("scheduler.lock_released", holder=self.token)


def lock_holder(connection) -> tuple[str, float] | None:
    """Who holds the scheduler's lock and for how many more seconds, if anyone."""
    holder, ttl_ms = connection.get(LOCK_KEY), connection.pttl(LOCK_KEY)
    return (_text(holder), max(ttl_ms, 0) / 1000) if holder else None


def record_claim(connection, name: str, slot: datetime) -> None:
    connection.hset(SLOTS_KEY, name, slot.isoformat())


def claimed_slots(connection) -> dict[str, datetime]:
    """The latest slot the scheduler claimed (and enqueued) for each entry."""
    return {_text(k): parse_instant(_text(v)) for k, v in connection.hgetall(SLOTS_KEY).items()}


def record_heartbeat(connection, slot: str, at: datetime) -> None:
    run = json.dumps({"slot": slot, "at": at.isoformat(), "by": process_name()})
    connection.pipeline().lpush(HEARTBEAT_KEY, run).ltrim(HEARTBEAT_KEY, 0, HEARTBEATS_KEPT - 1).execute()


def heartbeats(connection, count: int = HEARTBEATS_KEPT) -> list[dict]:
    """The heartbeat job's latest runs, newest first: {slot, at, by}."""
    return [json.loads(raw) for raw in connection.lrange(HEARTBEAT_KEY, 0, count - 1)]


class LocalState:
    """The in-process loop's record (no Redis): per entry, its last slot run and outcome."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def read(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {"entries": {}, "failures": 0}

    def record(self, name: str, slot: datetime, at: datetime, error: BaseException | None) -> None:
        state = self.read()
        state["entries"][name] = {"slot": slot.isoformat(), "at": at.isoformat(),
                                  "outcome": "error" if error else "ok",
                                  "error": f"{type(error).__name__}: {error}"[:500] if error else None}
        state["failures"] = state.get("failures", 0) + (1 if error else 0)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(json.dumps(state, indent=1))
        scratch.replace(self.path)


def _text(value) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
