"""A small supervisor: start the children, stop them all together, and never leave one.

Each child runs in its own process group, so Ctrl-C in a terminal reaches only the
supervisor: it asks every child to stop (SIGTERM: gunicorn finishes its requests, an RQ
worker its current job), forces them on a second Ctrl-C (SIGINT), kills what is left
after a timeout, and sweeps each child's group for orphans (gunicorn's workers, RQ's
work horses). When a child exits on its own, the others are stopped and the exit
status is 1: a server that cannot serve must not look alive.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

POSIX = os.name == "posix"
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


def say(message: str) -> None:
    print(f"agency serve: {message}", file=sys.stderr, flush=True)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        options = {"process_group": 0} if POSIX else {}
        self.process = subprocess.Popen(self.argv, **options)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.running:
            self.process.send_signal(signum)

    def kill_all(self) -> None:
        """Kill the child and whatever is left in its process group, then reap it."""
        if self.process is None:
            return
        if POSIX:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass  # the group is empty: everything stopped by itself
        elif self.running:
            self.process.kill()
        self.process.wait()


def stop_event() -> threading.Event:
    """An event set by SIGINT, SIGTERM or SIGHUP (call from the main thread)."""
    event = threading.Event()
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda *_: event.set())
    return event


def supervise(children: list[Child], *, stop_timeout: float = 30.0,
              report: Callable[[str], None] = say) -> int:
    """Run ``children`` until a stop signal (returns 0) or until one exits (returns 1)."""
    received: list[int] = []
    wake = threading.Event()

    def on_signal(signum, frame) -> None:
        received.append(signum)
        wake.set()
    previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
    failed = None
    try:
        for child in children:
            child.start()
        report(", ".join(f"{c.name} (pid {c.process.pid})" for c in children)
               + " started; Ctrl-C stops them")
        failed = _first_exit(children, wake, received)
        if failed is not None:
            report(f"{failed.name} exited with status {failed.process.returncode}: "
                   "stopping the others")
    finally:
        _stop(children, wake, received, stop_timeout, report)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0 if failed is None else 1


def _first_exit(children: list[Child], wake: threading.Event, received: list[int]) -> Child | None:
    """Wait for a stop signal (None) or for a child to exit (that child)."""
    while not received:
        for child in children:
            if not child.running:
                return child
        wake.wait(0.5)
        wake.clear()
    return None


def _stop(children: list[Child], wake: threading.Event, received: list[int], timeout: float,
          report: Callable[[str], None]) -> None:
    if any(child.running for child in children):
        report("stopping " + ", ".join(c.name for c in children if c.running))
    seen = len(received)
    for child in children:
        child.signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(child.running for child in children) and time.monotonic() < deadline:
        if len(received) > seen:  # asked again: do not wait for requests and jobs to end
            seen = len(received)
            report("stopping at once")
            for child in children:
                child.signal(signal.SIGINT)
        wake.wait(0.2)
        wake.clear()
    for child in children:
        if child.running:
            report(f"{child.name} did not stop within {timeout:.0f} s: killed")
        child.kill_all()
