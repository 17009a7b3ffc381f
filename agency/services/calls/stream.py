"""The queue's rows in priority order, read lazily (agency.services.calls.queue_sql), grouped by
the part of `agency.domain.call_queue.priority_key` that SQL orders by; within a group the
remaining keys (debt age, last contact, case id) need the call log and the claims."""
from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import date, datetime
from itertools import chain, groupby
from operator import itemgetter

from sqlalchemy.orm import Session

from agency.domain.call_queue import CallReason
from agency.domain.money import currency_exponent
from agency.domain.timezones import UTC, as_utc
from agency.services.calls.queue_sql import special_rows, walk_rows

KIND_REASONS = {"call": CallReason.DUE_STEP, "callback": CallReason.PROMISED_CALLBACK,
                "counter_call": CallReason.COUNTER_CALL}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WALK_FLOOR = (1, EPOCH, 0, date.max)  # the start of prefix_key for any row of the walk
REFERENCE_EXPONENT = 6  # call_queue's flat-rate scale: balances compare in millionths of a major unit


def balance_scale(currency: str) -> tuple[int, int]:
    """priority_key's scale for flat rates, used for every queue: same order as the original's
    minor units when one currency is present, major units when several."""
    return (10 ** (REFERENCE_EXPONENT - currency_exponent(currency)), 1)


def prefix_key(row) -> tuple:
    """The first five parts of priority_key for a due row (its tier, call-back time, playbook
    rank, promised date, balance)."""
    callback = row.kind == "callback"
    scale = balance_scale(row.currency)
    return (0 if callback else 1, as_utc(row.due_at) if callback else EPOCH, 1 if callback else 0,
            getattr(row, "promised", None) or date.max, -(row.balance_minor * scale[0] // scale[1]))


def _walk(session: Session, agent_id: int, now: datetime, today: date,
          first: int | None) -> Iterator[tuple[tuple, object]]:
    """One agent's walk rows with their keys, best first, read `first` cases at a time (doubling)."""
    after, size = None, first
    while True:
        rows, after = walk_rows(session, agent_id, now, today, after, size)
        for row in rows:
            yield prefix_key(row), row
        if after is None:
            return
        size = size * 2 if size else None


class QueueRows:
    """The queue's due rows in prefix order; the call-backs (all read up front) are known.
    Each row travels with its key, worked out once."""

    def __init__(self, session: Session, agents: list[int], now: datetime, first_cases: int | None) -> None:
        today = now.date()
        special = sorted(((prefix_key(row), row) for row in special_rows(session, agents, now, today)),
                         key=itemgetter(0))
        self.callbacks: dict[int, list[datetime]] = {}
        for _, row in special:
            if row.kind == "callback":
                self.callbacks.setdefault(row.debtor_id, []).append(as_utc(row.due_at))
        # every walk row's key starts with WALK_FLOOR (no call-back, no promise): the special rows
        # below it come first, and the walks are read only when the queue gets past them
        ahead = [pair for pair in special if pair[0][:4] < WALK_FLOOR]
        rest = special[len(ahead):]
        walks = [_walk(session, agent, now, today, first_cases) for agent in agents]
        self._merged = chain(ahead, heapq.merge(rest, *walks, key=itemgetter(0)))

    def groups(self) -> Iterator[list]:
        """Lists of rows sharing a prefix key, in order."""
        for _, group in groupby(self._merged, key=itemgetter(0)):
            yield [row for _, row in group]
