"""What a playbook has due for a case on a day: the pure rules of the daily pass.

``evaluate(playbook, case, today)`` is the reference semantics. ``today`` is the
calendar date in the **creditor's** zone: the deposit and due dates the clock
counts from are the creditor's calendar facts, and the pass runs once a day for
a creditor. The debtor's own zone only matters later, when an action is carried
out (the calling window), not for deciding that a step is due.

The rules:

* The clock runs per unpaid claim (see playbook_clock). A paid claim leaves the
  clock; a partial payment does not stop it. The case stands at the most advanced
  step (in the playbook's order) reached by any of its unpaid claims.
* A step fires once per case: its actions name the unpaid claims that reached it.
  Any record (pending, done, skipped, cancelled) closes a step for good.
* Catch-up: every unrecorded step before the current one is closed when the current
  is reached. With ``catch_up: skip`` they are recorded as skipped (no stale burst
  after downtime); with ``all`` those reached and whose condition holds fire too.
* Conditions are checked on the day. A current step whose condition fails is
  *waiting*: not recorded, checked again on later passes (an overdue balance can
  grow as invoices fall due), and recorded as skipped (``condition_not_met``) once
  a later step is reached. An action's own condition is checked when its step
  fires; an action that fails it is left out (reported in ``DueStep.omitted``).
* Holds (derogations, inclusive of their last day) and pauses (dispute, plan,
  promise) stop everything. With ``resume: stay`` offsets are not shifted: after
  the hold the case resumes at the step its clock stands at, which fires, and what
  fell due during the hold is recorded as skipped (``held``), whatever the catch-up
  policy. With ``resume: shift`` every remaining date moves by the held days.

The daily pass, set-based (see also playbook_flat.flatten). A case carries an
indexed ``next_step_at`` = ``Evaluation.wake_on``: the first day a new evaluation
can produce something without any event. The pass touches only cases with
``next_step_at <= today``; an event (payment, new claim, step completed, hold or
pause set or lifted, promise broken) recomputes the case's ``next_step_at``. For a
claim added to a case, ``next_due_date(..., after_step_code=current)`` gives its
date without a full evaluation: ``next_step_at = least(next_step_at, that date)``.
The SQL pass may reproduce these rules over the ``playbook_step`` rows of
``flatten``; tests should hold it to ``evaluate`` on the same cases.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from agency.domain.playbook.case import (
    COMPLETED_STATUSES, CaseState, Claim, ScheduleError, StepRecord, effective_due_date,
)
from agency.domain.playbook.clock import Clock, next_due_date
from agency.domain.playbook.dates import Interval, interval_at
from agency.domain.playbook.model import Action, Condition, Playbook, Step

__all__ = ["evaluate", "next_due_date", "overdue_balance", "Evaluation", "DueStep", "Skip",
           "Waiting", "NextStep", "ScheduleError"]

SKIP_REASONS = ("catch_up", "held", "condition_not_met", "superseded")


@dataclass(frozen=True, slots=True)
class DueStep:
    """A step to fire now: its actions, to create once for the case."""

    code: str
    due_on: date                      # the day the case reached it (its first claim)
    claim_ids: tuple                  # the unpaid claims that reached it
    actions: tuple[Action, ...]       # those whose own condition holds
    omitted: tuple[Action, ...] = ()  # those left out by their own condition


@dataclass(frozen=True, slots=True)
class Skip:
    """A step to record as skipped, and why (one of SKIP_REASONS)."""

    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Waiting:
    """The current step, reached but its condition fails today; not recorded."""

    code: str
    due_on: date


@dataclass(frozen=True, slots=True)
class NextStep:
    """What the playbook will do next, and when (None: after ``waiting_for`` completes)."""

    code: str
    on: date | None
    waiting_for: str | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcome for a case on a day: what to fire and record, and what comes next."""

    current: str | None = None
    fire: tuple[DueStep, ...] = ()
    skip: tuple[Skip, ...] = ()
    waiting: Waiting | None = None
    held: bool = False
    resume_on: date | None = None     # the first day after the hold; None if open-ended
    next: NextStep | None = None
    wake_on: date | None = None

    def records(self, today: date, fired_status: str = "pending") -> tuple[StepRecord, ...]:
        """The step records this evaluation asks the caller to write."""
        return tuple([StepRecord(due.code, fired_status, today) for due in self.fire]
                     + [StepRecord(skip.code, "skipped", today) for skip in self.skip])


def overdue_balance(claims: Sequence[Claim], today: date, payment_term_days: int) -> int:
    """Unpaid minor units of the claims whose due date has passed (is before today)."""
    total = 0
    for claim in claims:
        due = effective_due_date(claim, payment_term_days)
        if claim.in_clock and due is not None and due < today:
            total += claim.unpaid
    return total


@dataclass(frozen=True)
class _Facts:
    """The case on the day, as conditions read it."""

    case: CaseState
    segment: str | None
    claims: tuple[Claim, ...]
    today: date
    term: int

    def holds(self, condition: Condition | None) -> bool:
        if condition is None:
            return True
        threshold = condition.overdue_threshold(self.segment)
        if threshold is not None and overdue_balance(self.claims, self.today, self.term) <= threshold:
            return False
        days = condition.no_payment_since_days
        last = self.case.last_payment_on
        if days is not None and last is not None and (self.today - last).days < days:
            return False
        if condition.promise_broken and not self.case.broken_since("promise", self.today):
            return False
        return not (condition.plan_broken and not self.case.broken_since("plan", self.today))

    def wake_dates(self, condition: Condition) -> list[date]:
        """Days on which a failing condition may come to hold without any event."""
        wake = []
        if condition.uses_overdue_balance:
            dues = (effective_due_date(claim, self.term) for claim in self.claims)
            wake += [due + timedelta(days=1) for due in dues if due is not None and due >= self.today]
        last = self.case.last_payment_on
        if condition.no_payment_since_days is not None and last is not None:
            wake.append(last + timedelta(days=condition.no_payment_since_days))
        return [day for day in wake if day > self.today]


def evaluate(playbook: Playbook, case: CaseState, today: date) -> Evaluation:
    """What is due for the case on ``today``; see the module docstring for the rules."""
    segment = _check_case(playbook, case)
    claims = tuple(claim for claim in case.claims if claim.in_clock)
    if not claims:
        return Evaluation()
    term = playbook.payment_term_days if case.payment_term_days is None else case.payment_term_days
    records = case.record_map()
    clock = Clock(playbook, segment, term, _completed(records, (), today), case.held_intervals())
    dates = {claim.id: clock.dates(claim) for claim in claims}
    steps = clock.steps
    reached = [tuple(cid for cid, due in dates.items() if due[i] is not None and due[i] <= today)
               for i in range(len(steps))]
    current = max((i for i, ids in enumerate(reached) if ids), default=None)
    current_code = steps[current].code if current is not None else None
    hold = interval_at(today, clock.intervals)
    if hold is not None:
        resume = None if hold[1] is None else hold[1] + timedelta(days=1)
        planned = _planned(steps, dates, set(records), resume) if resume else None
        return Evaluation(current=current_code, held=True, resume_on=resume, next=planned,
                          wake_on=resume)
    facts = _Facts(case, segment, claims, today, term)
    fire, skip, waiting = _decide(playbook, steps, dates, reached, current, records, facts,
                                  clock.intervals)
    planned, wake = _outlook(clock, records, fire, skip, waiting, facts)
    return Evaluation(current=current_code, fire=tuple(fire), skip=tuple(skip), waiting=waiting,
                      next=planned, wake_on=wake)


def _check_case(playbook: Playbook, case: CaseState) -> str | None:
    if case.currency is not None and case.currency != playbook.currency:
        raise ScheduleError(f"the case is in {case.currency}, the playbook in {playbook.currency}")
    ids = [claim.id for claim in case.claims]
    if len(set(ids)) != len(ids):
        raise ScheduleError("two claims of the case have the same id")
    if not playbook.segments:
        return None
    if case.segment not in playbook.segments:
        raise ScheduleError(f"segment {case.segment!r} is not one of the playbook's "
                            f"({', '.join(playbook.segments)})")
    return case.segment


def _completed(records: dict[str, StepRecord], closed_today: Sequence[str],
               today: date) -> dict[str, date]:
    """Completion days that previous_step counts from; ``closed_today`` taken as done today."""
    completed = {code: record.on for code, record in records.items()
                 if record.status in COMPLETED_STATUSES}
    completed.update({code: today for code in closed_today})
    return completed


def _outlook(clock: Clock, records: dict[str, StepRecord], fire: list[DueStep], skip: list[Skip],
             waiting: Waiting | None, facts: _Facts) -> tuple[NextStep | None, date | None]:
    """The next step and the wake-up day, as if what fires now were completed today.

    If it completes later, that completion is an event that recomputes the case's
    next_step_at; waking too early is harmless, waking too late would not be.
    """
    closed_now = [due.code for due in fire] + [s.code for s in skip]
    after = replace(clock, completed=_completed(records, closed_now, facts.today))
    dates = {claim.id: after.dates(claim) for claim in facts.claims}
    closed = set(records) | set(closed_now) | ({waiting.code} if waiting else set())
    planned = _planned(after.steps, dates, closed, facts.today)
    wake = [planned.on] if planned is not None and planned.on is not None else []
    if waiting is not None:
        wake += facts.wake_dates(clock.playbook.step(waiting.code).condition)
    return planned, min(wake, default=None)


def _decide(playbook: Playbook, steps: tuple[Step, ...], dates: dict, reached: list[tuple],
            current: int | None, records: dict, facts: _Facts,
            intervals: tuple[Interval, ...]) -> tuple[list[DueStep], list[Skip], Waiting | None]:
    fire: list[DueStep] = []
    skip: list[Skip] = []
    waiting = None
    for i in range(0 if current is None else current + 1):
        step = steps[i]
        if step.code in records:
            continue
        if not reached[i]:
            skip.append(Skip(step.code, "superseded"))
            continue
        due_on = min(dates[cid][i] for cid in reached[i])
        met = facts.holds(step.condition)
        fell_in_hold = playbook.resume == "stay" and interval_at(due_on, intervals) is not None
        if i == current and met:
            fire.append(_due_step(step, due_on, reached[i], facts))
        elif i == current:
            waiting = Waiting(step.code, due_on)
        elif not met:
            skip.append(Skip(step.code, "condition_not_met"))
        elif fell_in_hold:
            skip.append(Skip(step.code, "held"))
        elif playbook.catch_up == "all":
            fire.append(_due_step(step, due_on, reached[i], facts))
        else:
            skip.append(Skip(step.code, "catch_up"))
    return fire, skip, waiting


def _due_step(step: Step, due_on: date, claim_ids: tuple, facts: _Facts) -> DueStep:
    kept = tuple(action for action in step.actions if facts.holds(action.condition))
    omitted = tuple(action for action in step.actions if action not in kept)
    return DueStep(step.code, due_on, claim_ids, kept, omitted)


def _planned(steps: tuple[Step, ...], dates: dict, closed: set[str], day: date) -> NextStep | None:
    """The step the case will stand at next: already due by ``day`` (the latest such), else
    the earliest dated; failing both, the first waiting for its previous step."""
    dated: list[tuple[date, int]] = []
    undated: list[int] = []
    for i, step in enumerate(steps):
        if step.code in closed:
            continue
        known = [due[i] for due in dates.values() if due[i] is not None]
        if known:
            dated.append((min(known), i))
        else:
            undated.append(i)
    ready = [i for on, i in dated if on <= day]
    if ready:
        return NextStep(steps[max(ready)].code, day)
    if dated:
        on, i = min(dated, key=lambda pair: (pair[0], -pair[1]))
        return NextStep(steps[i].code, on)
    waits = [i for i in undated if steps[i].when.after_previous_step]
    return NextStep(steps[waits[0]].code, None, steps[waits[0] - 1].code) if waits else None
