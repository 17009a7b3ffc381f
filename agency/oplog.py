"""Operational logging: the standard ``logging`` module, one line when an operation starts
and one when it ends (what, ids, counts, duration, outcome), plain text or JSON lines.

``configure(level, fmt)`` installs one handler on the root logger (stderr; ``fmt`` "json"
gives one JSON object a line) and is called by ``create_app``, hence by every process: the
web app, the CLI, ``agency worker`` (RQ's own loggers then use it too) and
``agency scheduler``. ``operation(name, **ids)`` wraps a job, a daily pass, an import, a
send: an error is logged with its traceback and raised again, never swallowed.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

log = logging.getLogger("recouvra.ops")
FORMATS = ("text", "json")
_HANDLER_NAME = "recouvra"
_current: ContextVar[Operation | None] = ContextVar("recouvra_operation", default=None)


class TextFormatter(logging.Formatter):
    """``time level logger message key=value ...``, the traceback on the lines after."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        fields = getattr(record, "fields", None) or {}
        return line + "".join(f" {key}={_text(value)}" for key, value in fields.items())


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the operation's fields, and
    the traceback as one string under ``exc``."""

    def format(self, record: logging.LogRecord) -> str:
        document = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                    "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        document.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            document["exc"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False, default=str)


def configure(level: str | int = "INFO", fmt: str = "text") -> None:
    """Send every logger's records to stderr in ``fmt``, from ``level`` up (idempotent)."""
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        # The process's own stderr, even where a runner swaps sys.stderr to read a
        # command's output (Click's): stdout keeps one JSON document, logs stay apart.
        handler = logging.StreamHandler(sys.__stderr__ or sys.stderr)
        handler.set_name(_HANDLER_NAME)
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.setLevel(level.upper() if isinstance(level, str) else level)


@dataclass
class Operation:
    """What is known of a running operation; its body adds counts and facts to ``fields``."""

    name: str
    ids: dict
    fields: dict = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    failure: BaseException | None = None

    def add(self, **values) -> None:
        self.fields.update(values)

    def result(self, value) -> None:
        """Keep what the operation returned: a dict's plain values, or the value itself."""
        if isinstance(value, Mapping):
            self.add(**{k: v for k, v in value.items() if isinstance(v, str | int | float | bool)})
        elif isinstance(value, bool | int | float | str):
            self.add(result=value)

    def failed(self, error: BaseException) -> None:
        """A failure handled on the spot (recorded on its row): the end line says so, at
        ERROR, with its traceback, though nothing is raised."""
        self.failure = error

    def elapsed(self) -> float:
        """Seconds since the start, by the monotonic counter (never a wall-clock instant)."""
        return time.perf_counter() - self.started


@contextmanager
def operation(name: str, **ids) -> Iterator[Operation]:
    """Log ``name`` starting and ending with ``ids``, its counts, duration and outcome."""
    op = Operation(name, dict(ids))
    token = _current.set(op)
    _emit(logging.INFO, op, "start")
    try:
        yield op
    except Exception as exc:
        _emit(logging.ERROR, op, "end", outcome="error", error=_error_text(exc), exc_info=True)
        raise
    except BaseException as exc:  # interrupted (Ctrl-C, exit, a worker's shutdown): said, not traced
        _emit(logging.WARNING, op, "end", outcome="interrupted", error=type(exc).__name__)
        raise
    else:
        if op.failure is not None:
            _emit(logging.ERROR, op, "end", outcome="failed", error=_error_text(op.failure),
                  exc_info=(type(op.failure), op.failure, op.failure.__traceback__))
        else:
            _emit(logging.INFO, op, "end", outcome="ok")
    finally:
        _current.reset(token)


def current() -> Operation | None:
    """The innermost operation running in this context, if any."""
    return _current.get()


def event(name: str, level: int = logging.INFO, **fields) -> None:
    """One structured line for something that happens at once (a job enqueued, a lock taken)."""
    log.log(level, name, extra={"fields": {"operation": name, **fields}})


def _emit(level: int, op: Operation, phase: str, exc_info=None, **outcome) -> None:
    fields = {"operation": op.name, "event": phase, **op.ids}
    if phase == "end":
        fields.update(op.fields)
        fields.update(outcome, duration_ms=round(op.elapsed() * 1000, 1))
    log.log(level, "%s %s", op.name, phase, exc_info=exc_info, extra={"fields": fields})


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def _text(value) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if not text or any(c in text for c in ' "=\n') else text
