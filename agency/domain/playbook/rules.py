"""Checks across steps that a single step cannot make on its own."""
from __future__ import annotations

from collections import Counter

from agency.domain.playbook.model import Playbook, Step


def check_playbook(playbook: Playbook) -> list[str]:
    """Every cross-step fault of a playbook, as readable messages (empty if none)."""
    problems = [f"duplicate step code {code!r}"
                for code, count in Counter(s.code for s in playbook.steps).items() if count > 1]
    if problems:
        return problems  # previous-step lookups below need unique codes
    for index, step in enumerate(playbook.steps):
        path = f"steps[{index}] ({step.code})"
        if step.actions and all(action.condition is not None for action in step.actions):
            problems.append(f"{path}: every action has a condition; put it on the step instead")
        if step.when.after_previous_step:
            problems.extend(f"{path}.when.from: {fault}" for fault in _previous_faults(playbook, step))
    return problems


def _previous_faults(playbook: Playbook, step: Step) -> list[str]:
    faults = []
    for segment in step.segments or playbook.segments or (None,):
        previous = playbook.previous_step(step.code, segment)
        where = f" for segment {segment}" if segment else ""
        if previous is None:
            faults.append(f"previous_step, but no step comes before it{where}")
        elif previous.condition is not None:
            # A conditional step may never complete, and this one would wait forever.
            faults.append(f"previous_step{where} is {previous.code!r}, which has a condition "
                          "and may never complete")
    return faults
