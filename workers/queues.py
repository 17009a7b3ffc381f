"""Queues per concern, one decorator for job defaults, and enqueue-after-commit.

With REDIS_URL set, jobs go to RQ queues served by `agency worker`. Without it the
demo still works: jobs run in-process, on a small thread pool ("thread"), or at once
in the caller ("sync", what the SQLite test pass uses).
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from flask import current_app
from redis import Redis
from rq import Queue, Retry

from agency.oplog import operation

QUEUES = ("high", "default", "low")  # webhooks & payments; messages; letters, reports, imports
_pool: ThreadPoolExecutor | None = None


@dataclass(frozen=True)
class JobOptions:
    queue: str
    timeout: int
    retries: tuple[int, ...]
    failure_ttl: int


def job(queue: str = "default", timeout: int = 600, retries: tuple[int, ...] = (30, 300, 1800),
        failure_ttl: int = 7 * 24 * 3600) -> Callable:
    """Declare a job's defaults; the function stays a plain callable taking ids, and logs
    its start and end (``job.<module>.<name>``, its ids, what it returned, its outcome)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue}")

    def mark(func: Callable) -> Callable:
        name = f"job.{func.__module__.removeprefix('workers.')}.{func.__name__}"
        signature = inspect.signature(func)

        @functools.wraps(func)
        def run(*args, **kwargs):
            with operation(name, **signature.bind(*args, **kwargs).arguments) as op:
                result = func(*args, **kwargs)
                op.result(result)
            return result
        run.job_options = JobOptions(queue, timeout, retries, failure_ttl)
        return run
    return mark


def redis_connection(url: str | None = None) -> Redis:
    return Redis.from_url(url or current_app.config["REDIS_URL"])


def queue_mode() -> str:
    configured = current_app.config.get("QUEUE_MODE")
    if configured:
        return configured
    return "rq" if current_app.config.get("REDIS_URL") else "thread"


def enqueue(func: Callable, *args, job_id: str | None = None):
    """Run ``func(*args)`` in the background. Call only after the commit it depends on."""
    options: JobOptions = func.job_options
    mode = queue_mode()
    if mode == "rq":
        queue = Queue(options.queue, connection=redis_connection())
        retry = Retry(max=len(options.retries), interval=list(options.retries)) if options.retries else None
        return queue.enqueue(func, args=args, job_id=job_id, job_timeout=options.timeout,
                             failure_ttl=options.failure_ttl, retry=retry)
    if mode == "sync":
        return func(*args)
    return _thread_pool().submit(_in_app_context, current_app._get_current_object(), func, args)


def _thread_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="recouvra-job")
    return _pool


def _in_app_context(app, func: Callable, args: tuple):
    with app.app_context():
        return func(*args)


@contextmanager
def job_app_context() -> Iterator[None]:
    """Inside a job: the app of the process running it. `agency worker` runs inside the app
    and its work horses (forks) inherit it; the in-process modes push theirs."""
    try:
        current_app._get_current_object()
    except RuntimeError as exc:
        raise RuntimeError("jobs run inside the app: start workers with `agency worker`") from exc
    yield
