"""agency serve / agency worker: the web app and the RQ workers."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from rq import Queue, Worker

from workers.queues import redis_connection
from workers.schedule import run_in_process, run_scheduler, schedule


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
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve the web app, with a worker beside it when Redis is configured."""
    helpers = []
    if current_app.config.get("REDIS_URL"):
        for command in ("worker", "scheduler"):
            helpers.append(subprocess.Popen([sys.executable, "-m", "agency.cli", command]))
        click.echo(f"worker and scheduler started (pids {', '.join(str(p.pid) for p in helpers)})")
    else:
        threading.Thread(target=run_in_process, args=(current_app._get_current_object(),),
                         daemon=True, name="recouvra-scheduler").start()
        click.echo("no REDIS_URL: background and periodic jobs run in-process")
    try:
        current_app.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        for process in helpers:
            process.terminate()
            process.wait(timeout=30)




@click.command("scheduler")
@click.option("--interval", type=float, help="Seconds between checks (default: SCHEDULER_INTERVAL, 30).")
@with_appcontext
def scheduler(interval: float | None) -> None:
    """Enqueue the periodic jobs (daily pass, deferred messages) when they fall due; one
    scheduler at a time holds the lock, another waits to take over."""
    config = current_app.config
    if not config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: there are no queues to schedule into")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # stop cleanly: the lock is released at once
        signal.signal(signum, lambda *_: stop.set())
    run_scheduler(redis_connection(), interval or config["SCHEDULER_INTERVAL"], stop=stop,
                  entries=schedule(config["PERIODIC_SCHEDULE"]))


def register(cli: click.Group) -> None:
    for command in (worker, serve, scheduler):
        cli.add_command(command)
