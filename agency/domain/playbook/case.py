"""What the schedule reads about a case: its claims, step records, holds and pauses.

These are plain values: a service builds them from rows (or passes rows that
have the same attributes, see ClaimDates) and hands them to schedule.evaluate.
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from agency.domain.playbook.dates import Interval, merge_intervals

RECORD_STATUSES = ("pending", "done", "skipped", "cancelled")
# A step with any record never fires again. A pending one (actions created, not
# finished) has no completion date yet, so a step after it counting from
# previous_step waits.
COMPLETED_STATUSES = ("done", "skipped", "cancelled")
PAUSE_KINDS = ("dispute", "plan", "promise")


class ScheduleError(ValueError):
    """A case that the playbook cannot be applied to (missing date, wrong segment...)."""


class ClaimDates(Protocol):
    """The dates of a claim the clock counts from (an ORM row may serve)."""

    deposit_date: date | None
    due_date: date | None
    issue_date: date | None
    intake_date: date | None


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim of the case; ``unpaid`` is in minor units of the playbook's currency."""

    id: Hashable
    unpaid: int
    intake_date: date | None = None
    deposit_date: date | None = None
    due_date: date | None = None
    issue_date: date | None = None
    paid: bool = False

    @property
    def in_clock(self) -> bool:
        """A paid claim leaves the clock; a partly paid one stays in it."""
        return not self.paid and self.unpaid > 0


def effective_due_date(claim: ClaimDates, payment_term_days: int) -> date | None:
    """The due date, or, without one, the deposit date plus the payment term."""
    if claim.due_date is not None:
        return claim.due_date
    if claim.deposit_date is not None:
        return claim.deposit_date + timedelta(days=payment_term_days)
    return None


def reference_date(claim: ClaimDates, reference: str, payment_term_days: int) -> date:
    """The claim's date named by a playbook reference; ScheduleError if it lacks it."""
    if reference == "due_date":
        value = effective_due_date(claim, payment_term_days)
    else:
        value = getattr(claim, reference)
    if value is None:
        raise ScheduleError(f"claim {getattr(claim, 'id', '?')!r} has no {reference}, "
                            "which the playbook counts from")
    return value


@dataclass(frozen=True, slots=True)
class StepRecord:
    """What became of a step for the case, and on which day (its completion for done)."""

    code: str
    status: str
    on: date

    def __post_init__(self) -> None:
        if self.status not in RECORD_STATUSES:
            raise ScheduleError(f"unknown step status {self.status!r}")


@dataclass(frozen=True, slots=True)
class Hold:
    """A derogation: the case is held from ``start`` to ``until``, both days included."""

    start: date
    until: date
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Pause:
    """A dispute, instalment plan or promise that pauses escalation from ``start``.

    ``end`` is the day escalation resumes (the plan or promise broken, the dispute
    settled), None while it lasts. ``broken`` says a plan or promise was not kept.
    """

    kind: str
    start: date
    end: date | None = None
    broken: bool = False

    def __post_init__(self) -> None:
        if self.kind not in PAUSE_KINDS:
            raise ScheduleError(f"unknown pause kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class CaseState:
    """A case as the schedule sees it.

    Pass every hold and pause the case has had, not only the current one: the
    ``shift`` resume policy counts the held days, and ``stay`` skips what fell
    due while held. ``payment_term_days`` overrides the playbook's default (the
    creditor's contract). ``currency``, when given, must be the playbook's.
    """

    segment: str | None
    claims: tuple[Claim, ...]
    records: tuple[StepRecord, ...] = ()
    holds: tuple[Hold, ...] = ()
    pauses: tuple[Pause, ...] = ()
    last_payment_on: date | None = None
    currency: str | None = None
    payment_term_days: int | None = None

    def record_map(self) -> dict[str, StepRecord]:
        """Records by step code; ScheduleError if a step has two."""
        records: dict[str, StepRecord] = {}
        for record in self.records:
            if record.code in records:
                raise ScheduleError(f"step {record.code!r} is recorded twice")
            records[record.code] = record
        return records

    def held_intervals(self) -> tuple[Interval, ...]:
        """Every period the case was or is held or paused, merged."""
        periods: list[Interval] = [(hold.start, hold.until) for hold in self.holds]
        periods += [(pause.start, None if pause.end is None else pause.end - timedelta(days=1))
                    for pause in self.pauses]
        return merge_intervals(periods)

    def broken_since(self, kind: str, today: date) -> bool:
        """Whether a plan or promise of that kind was broken on or before today."""
        return any(p.kind == kind and p.broken and p.end is not None and p.end <= today
                   for p in self.pauses)
