"""The per-claim clock: when each step of the playbook falls due for one claim.

Each unpaid claim moves through the steps from its own reference dates. A step
counting from ``previous_step`` falls due its offset after the later of the day
the previous step was completed for the case and the day this claim reached
that previous step; it has no date while the previous step is not completed.
Under the ``shift`` resume policy every date is pushed back by the held days
between its reference and it.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from agency.domain.playbook.case import ClaimDates, ScheduleError, reference_date
from agency.domain.playbook.dates import Interval, add_offset, merge_intervals, shift_past_holds
from agency.domain.playbook.model import Playbook, Step


@dataclass(frozen=True)
class Clock:
    """The playbook's steps for one segment, with what dates depend on besides the claim."""

    playbook: Playbook
    segment: str | None
    payment_term_days: int
    completed: Mapping[str, date] = field(default_factory=dict)
    intervals: tuple[Interval, ...] = ()

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.playbook.steps_for(self.segment)

    def dates(self, claim: ClaimDates) -> tuple[date | None, ...]:
        """The claim's due date for each step of the segment, in order (None: not datable)."""
        shifting = self.playbook.resume == "shift"
        dates: list[date | None] = []
        previous: tuple[str, date | None] | None = None
        for step in self.steps:
            if step.when.after_previous_step:
                done_on = self.completed.get(previous[0]) if previous else None
                reached = previous[1] if previous else None
                reference = None if done_on is None or reached is None else max(done_on, reached)
            else:
                reference = max(reference_date(claim, name, self.payment_term_days)
                                for name in step.when.references)
            due = None if reference is None else add_offset(reference, step.when.offset)
            if due is not None and shifting:
                due = shift_past_holds(reference, due, self.intervals)
            dates.append(due)
            previous = (step.code, due)
        return tuple(dates)


def next_due_date(playbook: Playbook, segment: str | None, claim: ClaimDates,
                  after_step_code: str | None, *, completed: Mapping[str, date] | None = None,
                  intervals: Sequence[Interval] = (), payment_term_days: int | None = None,
                  exclude: Collection[str] = ()) -> tuple[str, date] | None:
    """The next step this claim falls due for after ``after_step_code``, and its date.

    ``after_step_code`` None means from the first step. Among the later steps the
    earliest date wins (on a tie, the later step: it is the one that fires).
    None when no later step can be dated: none left, or one waits for the
    previous step's completion (``completed`` maps step codes to completion days).
    ``exclude`` leaves out steps already recorded for the case.
    """
    clock = Clock(playbook, segment,
                  playbook.payment_term_days if payment_term_days is None else payment_term_days,
                  completed or {}, merge_intervals(intervals))
    codes = [step.code for step in clock.steps]
    if after_step_code is not None and after_step_code not in codes:
        raise ScheduleError(f"no step {after_step_code!r} for segment {segment!r}")
    start = codes.index(after_step_code) + 1 if after_step_code is not None else 0
    candidates = [(due, -position, codes[position])
                  for position, due in enumerate(clock.dates(claim))
                  if position >= start and due is not None and codes[position] not in exclude]
    if not candidates:
        return None
    due, _, code = min(candidates)
    return code, due
