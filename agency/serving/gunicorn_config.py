"""Gunicorn settings of `agency serve` (`gunicorn -c python:agency.serving.gunicorn_config`).

The command line (bind, --workers) overrides these.
"""
import gc
import os

from agency.extensions import db
from agency.wsgi import app  # built here, in the master, once (preload_app)

workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * (os.cpu_count() or 1) + 1, 8))
worker_class = "gthread"  # threads: a slow request (an upload, a PDF) does not hold a process
threads = 4
preload_app = True  # the app is built once, in the master, before the workers fork
graceful_timeout = 20  # below the supervisor's stop timeout: gunicorn ends its own workers
# Gunicorn 25+ opens a control socket shared by every gunicorn of the user
# (~/.gunicorn/gunicorn.ctl): two servers on one machine would take each other's.
control_socket_disable = True


def when_ready(server):
    """Before the workers fork: the preloaded app's objects leave the collector's reach, so
    the workers share their pages instead of copying them (and exit in a second, not
    several, on a busy machine)."""
    gc.freeze()


def post_fork(server, worker):
    """A worker opens its own database connections, never the master's."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
