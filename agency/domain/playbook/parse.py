"""Strict reading of a playbook from plain data (what YAML or JSON gives).

Every fault is collected with its path (``steps[2] (w10-letter-1).when.unit``) and
raised at once as a PlaybookError, so the back-office can show them all.
"""
from __future__ import annotations

from typing import Any

from agency.domain.money import MoneyError, check_currency
from agency.domain.playbook.model import (
    ACTION_KINDS, APPROVER_ROLES, ASSIGNEE_ROLES, CATCH_UP_POLICIES, PARTNER_KINDS,
    PHASES, PREVIOUS_STEP, REFERENCES, RESUME_POLICIES, TEAMS, TEMPLATED_KINDS, UNITS,
    Action, Condition, Offset, Playbook, PlaybookError, Step, When,
)
from agency.domain.playbook.reader import MISSING, Reader
from agency.domain.playbook.rules import check_playbook
from agency.domain.segments import SegmentRule, SegmentRuleError, parse_rule

PLAYBOOK_KEYS = ("name", "version", "title", "description", "currency", "segments",
                 "catch_up", "resume", "payment_term_days", "steps")
STEP_KEYS = ("code", "title", "when", "segments", "condition", "needs_approval",
             "approver_role", "actions")
WHEN_KEYS = ("offset", "unit", "from")
CONDITION_KEYS = ("overdue_balance_above", "no_payment_since_days", "promise_broken",
                  "plan_broken")
SEGMENT_RULE_KEYS = ("basis", "bands")
BAND_KEYS = ("code", "label", "min")
ACTION_KEYS = ("kind", "template", "label", "assignee_role", "to_phase", "to_team",
               "needs_approval", "approver_role", "condition")


def playbook_from_dict(data: Any) -> Playbook:
    """Build and validate a playbook from plain data; raises PlaybookError."""
    reader = Reader()
    top = reader.mapping(data, "playbook", PLAYBOOK_KEYS)
    if top is None:
        raise PlaybookError(reader.problems)
    currency = _currency(reader, top)
    segments, rule = _segments(reader, top, currency)
    fields = dict(
        name=reader.slug(top, "name", "playbook"),
        version=reader.integer(top, "version", "playbook", minimum=1),
        title=reader.text(top, "title", "playbook"),
        description=reader.text(top, "description", "playbook", default="") or "",
        currency=currency, segments=segments, segment_rule=rule,
        catch_up=reader.choice(top, "catch_up", "playbook", CATCH_UP_POLICIES, default="skip",
                               what="catch-up policy"),
        resume=reader.choice(top, "resume", "playbook", RESUME_POLICIES, default="stay",
                             what="resume policy"),
        payment_term_days=reader.integer(top, "payment_term_days", "playbook", minimum=0, default=30),
        steps=_steps(reader, top.get("steps", MISSING), segments),
    )
    if reader.problems:
        raise PlaybookError(reader.problems)
    playbook = Playbook(**fields)
    problems = check_playbook(playbook)
    if problems:
        raise PlaybookError(problems)
    return playbook


def _currency(reader: Reader, top: dict) -> str | None:
    currency = reader.text(top, "currency", "playbook")
    if currency is None:
        return None
    try:
        return check_currency(currency)
    except MoneyError as exc:
        reader.fail("playbook.currency", str(exc))
        return None


def _segments(reader: Reader, top: dict, currency: str | None,
              ) -> tuple[tuple[str, ...], SegmentRule | None]:
    """The playbook's segments: a list of names, or a default rule whose bands name them."""
    value = top.get("segments")
    if not isinstance(value, dict):
        return reader.segments(top, "playbook", None), None
    before = len(reader.problems)
    data = reader.mapping(value, "playbook.segments", SEGMENT_RULE_KEYS)
    bands = data.get("bands") if data is not None else None
    if not isinstance(bands, list) or not bands:
        reader.fail("playbook.segments.bands", "expected a non-empty list of bands {code, min}")
        return (), None
    stored = []
    for index, band in enumerate(bands):
        path = f"playbook.segments.bands[{index}]"
        item = reader.mapping(band, path, BAND_KEYS)
        if item is None:
            continue
        code = reader.text(item, "code", path)
        minimum = reader.integer(item, "min", path, minimum=0)
        label = reader.text(item, "label", path, default=None)
        if code is not None and minimum is not None:
            stored.append({"code": code, "label": label or code, "min_minor": minimum})
    if len(reader.problems) > before:
        return (), None
    try:
        rule = parse_rule({"basis": data.get("basis"), "bands": stored, "currency": currency})
    except SegmentRuleError as exc:
        reader.fail("playbook.segments", str(exc))
        return (), None
    return tuple(band.code for band in rule.bands), rule


def _steps(reader: Reader, value: Any, segments: tuple[str, ...]) -> tuple[Step, ...]:
    if value is MISSING or not isinstance(value, list) or not value:
        reader.fail("playbook.steps", "expected a non-empty list of steps")
        return ()
    steps = []
    for index, item in enumerate(value):
        code = item.get("code") if isinstance(item, dict) else None
        path = f"steps[{index}]" + (f" ({code})" if isinstance(code, str) else "")
        step = _step(reader, item, path, segments)
        if step is not None:
            steps.append(step)
    return tuple(steps)


def _step(reader: Reader, item: Any, path: str, known: tuple[str, ...]) -> Step | None:
    data = reader.mapping(item, path, STEP_KEYS)
    if data is None:
        return None
    code = reader.slug(data, "code", path)
    title = reader.text(data, "title", path, default=None)
    when = _when(reader, data.get("when", MISSING), f"{path}.when")
    segments = reader.segments(data, path, known)
    scope = segments or known
    condition = _condition(reader, data.get("condition"), f"{path}.condition", scope)
    needs, approver = _approval(reader, data, path)
    actions = _actions(reader, data.get("actions"), f"{path}.actions", scope)
    if code is None or when is None:
        return None
    return Step(code=code, title=title, when=when, segments=segments, condition=condition,
                needs_approval=needs, approver_role=approver, actions=actions)


def _actions(reader: Reader, value: Any, path: str, scope: tuple[str, ...]) -> tuple[Action, ...]:
    if not isinstance(value, list) or not value:
        reader.fail(path, "expected a non-empty list of actions")
        return ()
    actions = (_action(reader, raw, f"{path}[{index}]", scope) for index, raw in enumerate(value))
    return tuple(action for action in actions if action is not None)


def _when(reader: Reader, value: Any, path: str) -> When | None:
    if value is MISSING:
        reader.fail(path, "'when' is required")
        return None
    data = reader.mapping(value, path, WHEN_KEYS)
    if data is None:
        return None
    n = reader.integer(data, "offset", path, minimum=0)
    unit = reader.choice(data, "unit", path, UNITS, what="unit")
    references = _references(reader, data.get("from", MISSING), f"{path}.from")
    if n is None or unit is None or references is None:
        return None
    if references == (PREVIOUS_STEP,) and n == 0:
        # A zero offset would fire the next step in the very pass that completed
        # the previous one, which breaks "running twice creates nothing new".
        reader.fail(f"{path}.offset", "must be at least 1 after previous_step")
    return When(Offset(n, unit), references)


def _references(reader: Reader, value: Any, path: str) -> tuple[str, ...] | None:
    if value is MISSING:
        reader.fail(path, "'from' is required")
        return None
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        reader.fail(path, f"expected a reference or a list of references, got {value!r}")
        return None
    bad = [name for name in names if name not in REFERENCES]
    if bad:
        reader.fail(path, f"unknown reference {bad[0]!r}; expected one of: {', '.join(REFERENCES)}")
        return None
    if len(set(names)) != len(names):
        reader.fail(path, f"duplicate reference in {names!r}")
        return None
    if PREVIOUS_STEP in names and len(names) > 1:
        reader.fail(path, "previous_step cannot be combined with other references")
        return None
    return tuple(names)


def _condition(reader: Reader, value: Any, path: str, scope: tuple[str, ...]) -> Condition | None:
    if value is None:
        return None
    data = reader.mapping(value, path, CONDITION_KEYS)
    if data is None:
        return None
    if not data:
        reader.fail(path, "an empty condition; omit it instead")
        return None
    above, by_segment = _threshold(reader, data.get("overdue_balance_above"),
                                   f"{path}.overdue_balance_above", scope)
    for key in ("promise_broken", "plan_broken"):
        if key in data and data[key] is not True:
            reader.fail(f"{path}.{key}", "can only be true; omit it otherwise")
    return Condition(
        overdue_above=above, overdue_above_by_segment=by_segment,
        no_payment_since_days=reader.integer(data, "no_payment_since_days", path,
                                             minimum=1, default=None),
        promise_broken=data.get("promise_broken") is True,
        plan_broken=data.get("plan_broken") is True,
    )


def _threshold(reader: Reader, value: Any, path: str,
               scope: tuple[str, ...]) -> tuple[int | None, tuple[tuple[str, int], ...]]:
    def amount(raw: Any, where: str) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            reader.fail(where, f"expected an amount in minor units (a whole number >= 0), got {raw!r}")
            return None
        return raw

    if value is None:
        return None, ()
    if not isinstance(value, dict):
        return amount(value, path), ()
    if not scope:
        reader.fail(path, "per-segment amounts need segments; give a single amount")
        return None, ()
    for segment in value:
        if segment not in scope:
            reader.fail(path, f"segment {segment!r} is not one this applies to ({', '.join(scope)})")
    missing = [segment for segment in scope if segment not in value]
    if missing:
        reader.fail(path, f"no amount for segment(s) {', '.join(missing)}")
    pairs = tuple((segment, amount(value[segment], f"{path}.{segment}")) for segment in scope
                  if segment in value)
    return None, tuple(pair for pair in pairs if pair[1] is not None)


def _approval(reader: Reader, data: dict, path: str) -> tuple[bool, str | None]:
    needs = reader.flag(data, "needs_approval", path)
    role = reader.choice(data, "approver_role", path, APPROVER_ROLES, default=None,
                         what="approver role")
    if needs and role is None and "approver_role" not in data:
        reader.fail(path, "needs_approval is true but no approver_role is given")
    if role is not None and not needs:
        reader.fail(path, "approver_role is given but needs_approval is not true")
    return needs, role


def _action(reader: Reader, raw: Any, path: str, scope: tuple[str, ...]) -> Action | None:
    data = reader.mapping(raw, path, ACTION_KEYS)
    if data is None:
        return None
    kind = reader.choice(data, "kind", path, ACTION_KINDS, what="action kind")
    template = reader.slug(data, "template", path, required=False)
    label = reader.text(data, "label", path, default=None)
    if kind == "letter" and template is None and "template" not in data:
        reader.fail(path, "a letter needs a template (e.g. reminder-1)")
    if template is not None and kind is not None and kind not in TEMPLATED_KINDS:
        reader.fail(f"{path}.template", f"a {kind} takes no template")
    to_phase = reader.choice(data, "to_phase", path, PHASES, default=None, what="phase")
    to_team = reader.choice(data, "to_team", path, TEAMS + PARTNER_KINDS, default=None, what="team")
    if kind == "handover" and to_phase is None and to_team is None \
            and "to_phase" not in data and "to_team" not in data:
        reader.fail(path, "a handover needs to_phase or to_team")
    if kind is not None and kind != "handover" and ("to_phase" in data or "to_team" in data):
        reader.fail(path, "to_phase and to_team belong to a handover only")
    role = reader.choice(data, "assignee_role", path, ASSIGNEE_ROLES, what="assignee role")
    needs, approver = _approval(reader, data, path)
    condition = _condition(reader, data.get("condition"), f"{path}.condition", scope)
    if kind is None or role is None:
        return None
    return Action(kind=kind, assignee_role=role, template=template, label=label,
                  to_phase=to_phase, to_team=to_team, needs_approval=needs,
                  approver_role=approver, condition=condition)
