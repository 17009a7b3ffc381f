"""Playbooks to and from YAML and JSON, and the built-in playbooks shipped as data.

The canonical form leaves out what has a default (no segments, no condition, no
approval, a single reference written as a word), so ``playbook_to_dict`` of a
loaded playbook equals what was read when the file is written in that form, and
``load(dump(p)) == p`` always holds.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any

import yaml

from agency.domain.playbook.model import Action, Condition, Playbook, PlaybookError, Step
from agency.domain.playbook.parse import playbook_from_dict

BUILTIN_PACKAGE = "agency.domain.playbook"
BUILTIN_FOLDER = "builtin"


def playbook_to_dict(playbook: Playbook) -> dict[str, Any]:
    """The playbook as plain data in canonical form (keys in a stable order)."""
    data: dict[str, Any] = {"name": playbook.name, "version": playbook.version,
                            "title": playbook.title}
    if playbook.description:
        data["description"] = playbook.description
    data["currency"] = playbook.currency
    if playbook.segment_rule is not None:
        data["segments"] = {"basis": playbook.segment_rule.basis, "bands": [
            {"code": b.code, "label": b.label, "min": b.min_minor} for b in playbook.segment_rule.bands]}
    elif playbook.segments:
        data["segments"] = list(playbook.segments)
    data.update(catch_up=playbook.catch_up, resume=playbook.resume,
                payment_term_days=playbook.payment_term_days,
                steps=[_step_to_dict(step) for step in playbook.steps])
    return data


def _step_to_dict(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {"code": step.code}
    if step.title is not None:
        data["title"] = step.title
    references = step.when.references
    data["when"] = {"offset": step.when.offset.n, "unit": step.when.offset.unit,
                    "from": references[0] if len(references) == 1 else list(references)}
    if step.segments:
        data["segments"] = list(step.segments)
    if step.condition is not None:
        data["condition"] = _condition_to_dict(step.condition)
    _approval_to_dict(data, step.needs_approval, step.approver_role)
    data["actions"] = [_action_to_dict(action) for action in step.actions]
    return data


def _condition_to_dict(condition: Condition) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if condition.overdue_above is not None:
        data["overdue_balance_above"] = condition.overdue_above
    elif condition.overdue_above_by_segment:
        data["overdue_balance_above"] = dict(condition.overdue_above_by_segment)
    if condition.no_payment_since_days is not None:
        data["no_payment_since_days"] = condition.no_payment_since_days
    if condition.promise_broken:
        data["promise_broken"] = True
    if condition.plan_broken:
        data["plan_broken"] = True
    return data


def _action_to_dict(action: Action) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": action.kind}
    for key in ("template", "label", "to_phase", "to_team"):
        if getattr(action, key) is not None:
            data[key] = getattr(action, key)
    data["assignee_role"] = action.assignee_role
    _approval_to_dict(data, action.needs_approval, action.approver_role)
    if action.condition is not None:
        data["condition"] = _condition_to_dict(action.condition)
    return data


def _approval_to_dict(data: dict[str, Any], needs: bool, role: str | None) -> None:
    if needs:
        data["needs_approval"] = True
        data["approver_role"] = role


def load_yaml(text: str) -> Playbook:
    """Read and validate a playbook written in YAML; raises PlaybookError."""
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:  # 2026-02-30, nesting too deep
        raise PlaybookError([f"not valid YAML: {exc}"]) from exc
    return playbook_from_dict(data)


def dump_yaml(playbook: Playbook) -> str:
    """The playbook as YAML in canonical form (comments are not kept)."""
    return yaml.safe_dump(playbook_to_dict(playbook), sort_keys=False, allow_unicode=True,
                          width=100)


def load_json(text: str) -> Playbook:
    """Read and validate a playbook written in JSON; raises PlaybookError."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise PlaybookError([f"not valid JSON: {exc}"]) from exc
    return playbook_from_dict(data)


def dump_json(playbook: Playbook) -> str:
    """The playbook as indented JSON in canonical form."""
    return json.dumps(playbook_to_dict(playbook), ensure_ascii=False, indent=2) + "\n"


def builtin_names() -> list[str]:
    """Names of the playbooks shipped with the application."""
    folder = resources.files(BUILTIN_PACKAGE).joinpath(BUILTIN_FOLDER)
    return sorted(entry.name[:-5] for entry in folder.iterdir() if entry.name.endswith(".yaml"))


def builtin_text(name: str) -> str:
    """The YAML text of a built-in playbook (with its comments); KeyError if unknown."""
    if name not in builtin_names():
        raise KeyError(f"no built-in playbook {name!r}")
    folder = resources.files(BUILTIN_PACKAGE).joinpath(BUILTIN_FOLDER)
    return folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def load_builtin(name: str) -> Playbook:
    """A built-in playbook, validated; its file name is its name."""
    playbook = load_yaml(builtin_text(name))
    if playbook.name != name:
        raise PlaybookError([f"built-in file {name}.yaml names itself {playbook.name!r}"])
    return playbook
