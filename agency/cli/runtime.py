"""agency serve / agency worker: the web app and the RQ workers."""
from __future__ import annotations

import subprocess
import sys

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--queues", default="high,default,low", show_default=True)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker(queues: str, burst: bool) -> None:
    """Run an RQ worker on the queues (needs REDIS_URL)."""
    from rq import Queue, Worker

    from workers.queues import redis_connection
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
    worker_process = None
    if current_app.config.get("REDIS_URL"):
        worker_process = subprocess.Popen([sys.executable, "-m", "agency.cli", "worker"])
        click.echo(f"worker started (pid {worker_process.pid})")
    else:
        click.echo("no REDIS_URL: background jobs run in-process")
    try:
        current_app.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        if worker_process is not None:
            worker_process.terminate()
            worker_process.wait(timeout=30)


def register(cli: click.Group) -> None:
    cli.add_command(worker)
    cli.add_command(serve)
