"""agency serve / worker / scheduler: the web server, the RQ workers and the periodic jobs."""
from __future__ import annotations

import sys
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from rq import Queue, Worker

from workers.queues import redis_connection
from workers.schedule import run_in_process, run_scheduler, schedule

from agency.serving.processes import Child, say, stop_event, supervise
from agency.serving.web import web_command


@click.command("worker")
@click.option("--queues", default="high,default,low", show_default=True)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker(queues: str, burst: bool) -> None:
    """Run an RQ worker on the queues (needs REDIS_URL)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set: jobs run in-process, no worker needed")
    connection = redis_connection(url)
    names = [q.strip() for q in queues.split(",") if q.strip()]
    Worker([Queue(n, connection=connection) for n in names], connection=connection).work(
        burst=burst, with_scheduler=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(min=1),
              help="Web processes (default: WEB_CONCURRENCY, else 2 per core + 1, at most 8).")
@with_appcontext
def serve(host: str, port: int, workers: int | None) -> None:
    """Serve the web app with gunicorn, plus a worker and the scheduler when Redis is
    configured; Ctrl-C stops them all."""
    children = [Child("web", web_command(host, port, workers))]
    periodic = None
    if current_app.config.get("REDIS_URL"):
        children += [Child(name, [sys.executable, "-m", "agency.cli", name])
                     for name in ("worker", "scheduler")]
    else:
        # Here, in the supervisor: the periodic jobs run once, whatever the web processes.
        say("no REDIS_URL: background jobs run in the web processes, periodic jobs in this one")
        periodic = PeriodicThread(current_app._get_current_object())
        periodic.start()
    status = supervise(children)
    if periodic is not None:
        periodic.stop.set()
        periodic.join(timeout=10)  # a job still running ends with the process, rolled back
    click.get_current_context().exit(status)


class PeriodicThread(threading.Thread):
    """The periodic jobs run inline (no Redis), until ``stop`` is set."""

    def __init__(self, app) -> None:
        self.stop = threading.Event()
        super().__init__(target=run_in_process, args=(app,), kwargs={"stop": self.stop},
                         daemon=True, name="recouvra-scheduler")


@click.command("scheduler")
@click.option("--interval", type=float, help="Seconds between checks (default: SCHEDULER_INTERVAL, 30).")
@with_appcontext
def scheduler(interval: float | None) -> None:
    """Enqueue the periodic jobs (daily pass, deferred messages) when they fall due; one
    scheduler at a time holds the lock, another waits to take over."""
    config = current_app.config
    if not config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: there are no queues to schedule into")
    run_scheduler(redis_connection(), interval or config["SCHEDULER_INTERVAL"], stop=stop_event(),
                  entries=schedule(config["PERIODIC_SCHEDULE"]))


def register(cli: click.Group) -> None:
    for command in (worker, serve, scheduler):
        cli.add_command(command)
