"""A playbook as table rows, for a set-based daily pass in SQL.

``flatten`` gives one StepRow per (step, segment) the step applies to, with the
condition's threshold resolved to that segment in minor units, and the step's
actions as ActionRows (approval resolved: the action's own, else the step's).
Load them in a ``playbook_step`` table keyed by (playbook, version, code,
segment) and a ``playbook_step_action`` table keyed by it plus ``position``.
``rank`` orders the steps of one segment: "the most advanced step reached" is the
highest rank, so a pass can ``max(rank)`` over the claims of a case.
"""
from __future__ import annotations

from dataclasses import dataclass

from agency.domain.playbook.model import Action, Condition, Playbook, Step


@dataclass(frozen=True, slots=True)
class ActionRow:
    position: int
    kind: str
    assignee_role: str
    template: str | None
    label: str | None
    to_phase: str | None
    to_team: str | None
    approver_role: str | None             # None: no approval needed
    overdue_above_minor: int | None       # the action's own condition, for the segment
    no_payment_since_days: int | None
    promise_broken: bool
    plan_broken: bool


@dataclass(frozen=True, slots=True)
class StepRow:
    playbook: str
    version: int
    position: int                         # index among all the playbook's steps
    rank: int                             # index among the segment's steps
    code: str
    segment: str | None                   # None when the playbook has no segments
    title: str | None
    offset: int
    unit: str                             # days | weeks | months (calendar, clamped)
    references: tuple[str, ...]           # several: the later of them
    previous_code: str | None             # the step previous_step counts from
    overdue_above_minor: int | None
    no_payment_since_days: int | None
    promise_broken: bool
    plan_broken: bool
    approver_role: str | None             # the step's own approval, if any
    actions: tuple[ActionRow, ...]


def flatten(playbook: Playbook) -> list[StepRow]:
    """One row per (step, segment), in the playbook's order then the segments' order."""
    segments = playbook.segments or (None,)
    codes = {segment: [s.code for s in playbook.steps_for(segment)] for segment in segments}
    rows = []
    for position, step in enumerate(playbook.steps):
        for segment in (s for s in segments if step.applies_to(s)):
            rank = codes[segment].index(step.code)
            previous = codes[segment][rank - 1] if step.when.after_previous_step else None
            rows.append(_row(playbook, step, position, segment, rank, previous))
    return rows


def _row(playbook: Playbook, step: Step, position: int, segment: str | None, rank: int,
         previous: str | None) -> StepRow:
    return StepRow(
        playbook=playbook.name, version=playbook.version, position=position, rank=rank,
        code=step.code, segment=segment, title=step.title,
        offset=step.when.offset.n, unit=step.when.offset.unit, references=step.when.references,
        previous_code=previous, **_condition_columns(step.condition, segment),
        approver_role=step.approver_role if step.needs_approval else None,
        actions=tuple(_action_row(step, action, index, segment)
                      for index, action in enumerate(step.actions)),
    )


def _action_row(step: Step, action: Action, position: int, segment: str | None) -> ActionRow:
    return ActionRow(
        position=position, kind=action.kind, assignee_role=action.assignee_role,
        template=action.template, label=action.label, to_phase=action.to_phase,
        to_team=action.to_team, approver_role=step.approval_for(action),
        **_condition_columns(action.condition, segment),
    )


def _condition_columns(condition: Condition | None, segment: str | None) -> dict:
    if condition is None:
        return dict(overdue_above_minor=None, no_payment_since_days=None,
                    promise_broken=False, plan_broken=False)
    return dict(overdue_above_minor=condition.overdue_threshold(segment),
                no_payment_since_days=condition.no_payment_since_days,
                promise_broken=condition.promise_broken, plan_broken=condition.plan_broken)
