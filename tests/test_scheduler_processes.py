"""Two schedulers and two workers, each a real process: one scheduler holds the lock, the
other waits; killing the holder hands over; each period of a periodic job runs exactly once."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from agency.domain.timezones import parse_instant
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.test_workers_rq import kill_tree
from workers.periodic_state import heartbeats, lock_holder

pytestmark = pytest.mark.commits
PERIOD = 3  # seconds; the lock's TTL (3 intervals) plus two intervals stays under it
ONLY_HEARTBEAT = (f"ops.heartbeat={PERIOD},messages.send_due=off,engine.daily_pass=off,"
                  "engine.hourly_pass=off")


def _start(command: list[str], tmp_path, name: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL,
               SECRET_KEY="test-secret", AGENCY_INSTANCE_PATH=str(tmp_path),
               SCHEDULER_INTERVAL="0.5", PERIODIC_SCHEDULE=ONLY_HEARTBEAT)
    with open(tmp_path / f"{name}.log", "wb") as log:  # the child keeps its own copy
        return subprocess.Popen([sys.executable, "-m", "agency.cli", *command], env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _holder_pid(redis_conn) -> int | None:
    held = lock_holder(redis_conn)
    return int(held[0].split(":")[1]) if held else None


def test_two_schedulers_two_workers_each_period_runs_once(tmp_path, redis_conn):
    first = _start(["scheduler"], tmp_path, "scheduler-1")
    processes = [first]
    try:
        assert _wait_for(lambda: _holder_pid(redis_conn), 60, "a scheduler to take the lock") == first.pid
        second = _start(["scheduler"], tmp_path, "scheduler-2")
        processes += [second] + [_start(["worker"], tmp_path, f"worker-{n}") for n in (1, 2)]
        _wait_for(lambda: len(heartbeats(redis_conn)) >= 3, 60, "three heartbeats")
        assert _holder_pid(redis_conn) == first.pid  # the second one waits
        kill_tree(first.pid)  # no clean release: the lock has to expire
        first.wait(timeout=10)
        killed_at = len(heartbeats(redis_conn))
        _wait_for(lambda: _holder_pid(redis_conn) == second.pid, 10, "the second to take over")
        _wait_for(lambda: len(heartbeats(redis_conn)) >= killed_at + 3, 30, "three more heartbeats")
    finally:
        for process in processes:
            kill_tree(process.pid)
            process.wait(timeout=10)
    logs = "".join((tmp_path / f"{name}.log").read_text()[-1500:] for name in ("scheduler-1", "scheduler-2"))
    slots = sorted(parse_instant(run["slot"]) for run in heartbeats(redis_conn))
    assert len(slots) == len(set(slots)), f"a period ran twice: {slots}\n{logs}"
    gaps = [b - a for a, b in zip(slots, slots[1:]) if b - a != timedelta(seconds=PERIOD)]
    assert gaps == [], f"a period was missed: {slots}\n{logs}"
    assert len(slots) >= 6
    assert "scheduler.waiting" in (tmp_path / "scheduler-2.log").read_text()
