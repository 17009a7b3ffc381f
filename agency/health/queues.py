"""The checks of the background machinery: Redis, the workers and their queues, failed jobs,
the scheduler (the lock's holder, the last slot of each periodic job, the heartbeat) or,
without Redis, the in-process loop's record."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from rq.registry import FailedJobRegistry

from agency.domain.timezones import as_utc, parse_instant
from agency.health.checks import Check, ago
from workers.periodic_state import STATE_FILE, LocalState, claimed_slots, heartbeats, lock_holder
from workers.queues import QUEUES
from workers.schedule import Periodic

IN_PROCESS = "REDIS_URL is not set: jobs run in-process"
# How long the oldest job may wait on each queue before it is a symptom.
WAIT_LIMITS = {"high": timedelta(minutes=2), "default": timedelta(minutes=10), "low": timedelta(hours=1)}


def redis_check(connection: Redis | None) -> Check:
    if connection is None:
        return Check("redis", True, IN_PROCESS + " (the web app's threads, periodic jobs in `agency serve`)")
    info = connection.info()
    persistence = "AOF" if info.get("aof_enabled") else ("RDB snapshots" if info.get("rdb_last_save_time") else "none")
    facts = {"version": info.get("redis_version"), "used_memory": info.get("used_memory_human"),
             "persistence": persistence}
    return Check("redis", True, f"Redis {facts['version']}, {facts['used_memory']} used, persistence: "
                 f"{persistence}", facts)


def workers(connection: Redis | None, now: datetime) -> Check:
    """Per queue: its workers, its waiting jobs and the age of the oldest; fails when a queue
    has no worker or its oldest job waited past WAIT_LIMITS."""
    if connection is None:
        return Check("workers", True, IN_PROCESS)
    listening = {name: 0 for name in QUEUES}
    for worker in Worker.all(connection=connection):
        for name in worker.queue_names():
            listening[name] = listening.get(name, 0) + 1
    facts, problems, parts = {}, [], []
    for name in QUEUES:
        queue = Queue(name, connection=connection)
        oldest = _oldest_wait(queue, now)
        facts[name] = {"workers": listening[name], "waiting": queue.count,
                       "oldest_wait_s": int(oldest.total_seconds()) if oldest else None}
        parts.append(f"{name}: {listening[name]} worker(s), {queue.count} waiting"
                     + (f", oldest {int(oldest.total_seconds())} s" if oldest else ""))
        if not listening[name]:
            problems.append(f"no worker on {name}")
        if oldest and oldest > WAIT_LIMITS[name]:
            problems.append(f"a job has waited {int(oldest.total_seconds())} s on {name}")
    return Check("workers", not problems, "; ".join(problems + parts), facts)


def _oldest_wait(queue: Queue, now: datetime) -> timedelta | None:
    for job_id in queue.get_job_ids(0, 1):
        job = Job.fetch(job_id, connection=queue.connection)
        return now - as_utc(job.enqueued_at) if job.enqueued_at else None
    return None


def failed_jobs(connection: Redis | None) -> Check:
    """Jobs that failed for good (retries spent): each wants a look, then requeue or delete."""
    if connection is None:
        return Check("failed_jobs", True, IN_PROCESS + ": a failure is logged and recorded on its row")
    counts = {name: FailedJobRegistry(name, connection=connection).count for name in QUEUES}
    total = sum(counts.values())
    detail = ", ".join(f"{name}: {n}" for name, n in counts.items())
    if total:
        detail += " (see `rq info`; then `rq requeue --queue NAME --all` or empty the registry)"
    return Check("failed_jobs", total == 0, f"{total} failed job(s): {detail}", counts)


def scheduler(connection: Redis | None, entries: list[Periodic], instance_path: str,
              now: datetime) -> Check:
    """The last run of each periodic job, stale past two of its periods."""
    if connection is None:
        return _in_process(entries, instance_path, now)
    holder = lock_holder(connection)
    slots = claimed_slots(connection)
    problems = [] if holder else ["no scheduler holds the lock: is `agency scheduler` running?"]
    problems += _stale({e.name: slots.get(e.name) for e in entries}, entries, now, "enqueued")
    beat = next(iter(heartbeats(connection, 1)), None)
    parts = [f"lock held by {holder[0]}" if holder else "lock free"]
    parts += [f"{e.name} enqueued {ago(slots[e.name], now)}" for e in entries if e.name in slots]
    heart = next((e for e in entries if e.name == "ops.heartbeat"), None)
    if heart is not None:
        if beat is None or now - parse_instant(beat["at"]) > 2 * heart.period:
            problems.append("no worker ran the heartbeat lately: are the `high` workers running?")
        else:
            parts.append(f"heartbeat run {ago(parse_instant(beat['at']), now)} by {beat['by']}")
    facts = {"lock_holder": holder[0] if holder else None,
             "last_enqueued": {name: slot.isoformat() for name, slot in slots.items()},
             "heartbeat": beat}
    return Check("scheduler", not problems, "; ".join(problems + parts), facts)


def _in_process(entries: list[Periodic], instance_path: str, now: datetime) -> Check:
    state = LocalState(Path(instance_path) / STATE_FILE).read()
    runs = state.get("entries", {})
    problems = _stale({e.name: parse_instant(runs[e.name]["slot"]) if e.name in runs else None
                       for e in entries}, entries, now, "run")
    problems += [f"{name} failed: {run['error']}" for name, run in runs.items() if run["outcome"] == "error"]
    detail = (f"in-process (no Redis): {state.get('failures', 0)} failed run(s) since the record began; "
              + ", ".join(f"{name} {run['outcome']} at {run['slot']}" for name, run in runs.items()))
    return Check("scheduler", not problems, "; ".join(problems + [detail]), state)


def _stale(last: dict[str, datetime | None], entries: list[Periodic], now: datetime, verb: str) -> list[str]:
    problems = []
    for entry in entries:
        slot = last.get(entry.name)
        if slot is None:
            problems.append(f"{entry.name} never {verb}")
        elif now - slot > 2 * entry.period:
            problems.append(f"{entry.name} last {verb} {ago(slot, now)}, more than two periods")
    return problems
