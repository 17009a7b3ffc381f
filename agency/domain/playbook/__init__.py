"""Playbooks: a creditor's escalation procedure as data (model, validation, YAML/JSON).

This module is the public face; the parts live in playbook_* modules:

* playbook_model: Playbook, Step, When, Offset, Condition, Action, the allowed
  units, references, action kinds, roles and phases, PlaybookError.
* playbook_parse (with playbook_reader, playbook_rules): strict validation from
  plain data, every fault reported at once with its path.
* playbook_io: YAML and JSON load/dump in canonical form, the built-in playbooks.
* playbook_flat: flatten() into StepRow/ActionRow for a ``playbook_step`` table.
* playbook_case, playbook_clock, playbook_dates: the case inputs and the per-claim
  clock used by schedule.evaluate (what is due for a case on a day).

Amounts in conditions are integers of minor units of the playbook's ``currency``.
"""
from __future__ import annotations

from agency.domain.playbook.flat import ActionRow, StepRow, flatten
from agency.domain.playbook.io import (
    builtin_names, builtin_text, dump_json, dump_yaml, load_builtin, load_json, load_yaml,
    playbook_to_dict,
)
from agency.domain.playbook.model import (
    ACTION_KINDS, APPROVER_ROLES, ASSIGNEE_ROLES, CATCH_UP_POLICIES, CLAIM_REFERENCES, PHASES,
    PREVIOUS_STEP, REFERENCES, RESUME_POLICIES, UNITS, Action, Condition, Offset, Playbook,
    PlaybookError, Step, When,
)
from agency.domain.playbook.parse import playbook_from_dict
from agency.domain.playbook.rules import check_playbook

__all__ = [
    "ACTION_KINDS", "APPROVER_ROLES", "ASSIGNEE_ROLES", "CATCH_UP_POLICIES", "CLAIM_REFERENCES",
    "PHASES", "PREVIOUS_STEP", "REFERENCES", "RESUME_POLICIES", "UNITS",
    "Action", "ActionRow", "Condition", "Offset", "Playbook", "PlaybookError", "Step", "StepRow",
    "When", "builtin_names", "builtin_text", "check_playbook", "dump_json", "dump_yaml",
    "flatten", "load_builtin", "load_json", "load_yaml", "playbook_from_dict",
    "playbook_to_dict",
]
