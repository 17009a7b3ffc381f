"""The web server's command line: gunicorn, or waitress where gunicorn cannot run."""
from __future__ import annotations

import sys

WSGI_APP = "agency.wsgi:app"
GUNICORN_CONFIG = "python:agency.serving.gunicorn_config"


def web_command(host: str, port: int, workers: int | None = None) -> list[str]:
    """The argv serving the app on ``host:port``, with ``workers`` processes when given."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if gunicorn_runs():
        argv = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG, "--bind", bind]
        if workers:
            argv += ["--workers", str(workers)]
        return argv + [WSGI_APP]
    # One process with threads: waitress does not fork.
    threads = 4 * (workers or 2)
    return [sys.executable, "-m", "waitress", f"--listen={bind}", f"--threads={threads}", WSGI_APP]


def gunicorn_runs() -> bool:
    """Gunicorn needs POSIX (fcntl, fork): elsewhere it does not import."""
    try:
        import gunicorn.arbiter  # noqa: F401
    except ImportError:
        return False
    return True
