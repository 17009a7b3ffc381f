"""Playbooks as data: strict validation, and YAML/JSON round trips."""
from __future__ import annotations

import copy
import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from agency.domain.playbook import (
    ACTION_KINDS, ASSIGNEE_ROLES, PlaybookError, builtin_names, builtin_text, dump_json,
    dump_yaml, load_builtin, load_json, load_yaml, playbook_from_dict, playbook_to_dict,
)

BUILTINS = ["bank-amicable-3", "clinic-po02", "public-fund-monthly"]


def minimal() -> dict:
    return {
        "name": "demo", "version": 1, "title": "Démo", "currency": "XOF",
        "segments": ["G", "P"], "catch_up": "skip", "resume": "stay", "payment_term_days": 30,
        "steps": [
            {"code": "w01-call", "when": {"offset": 1, "unit": "weeks", "from": "deposit_date"},
             "actions": [{"kind": "call", "assignee_role": "collection_officer"}]},
            {"code": "w02-letter", "when": {"offset": 2, "unit": "weeks", "from": "deposit_date"},
             "condition": {"overdue_balance_above": {"G": 100, "P": 50}},
             "actions": [{"kind": "letter", "template": "reminder-1",
                          "assignee_role": "collection_officer", "needs_approval": True,
                          "approver_role": "direction"}]},
        ],
    }


def problems_of(data: dict) -> list[str]:
    with pytest.raises(PlaybookError) as info:
        playbook_from_dict(data)
    return info.value.problems


def test_minimal_playbook_loads():
    playbook = playbook_from_dict(minimal())
    assert [step.code for step in playbook.steps] == ["w01-call", "w02-letter"]
    assert playbook.steps[1].condition.overdue_threshold("P") == 50
    assert playbook.steps[1].actions[0].approver_role == "direction"


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d["steps"][0]["actions"][0].update(kind="lettre"), "unknown action kind 'lettre'"),
    (lambda d: d["steps"][0]["when"].update(unit="fortnights"), "unknown unit 'fortnights'"),
    (lambda d: d["steps"][1].update(code="w01-call"), "duplicate step code 'w01-call'"),
    (lambda d: d["steps"][0]["when"].update(offset=-2), "offset: must be at least 0, got -2"),
    (lambda d: d["steps"][0]["when"].update(offset=True), "expected a whole number, got True"),
    (lambda d: d["steps"][0]["when"].update({"from": "birth_date"}), "unknown reference 'birth_date'"),
    (lambda d: d["steps"][0].update(colour="red"), "unknown key 'colour'"),
    (lambda d: d.update(catch_up="burst"), "unknown catch-up policy 'burst'"),
    (lambda d: d.update(resume="restart"), "unknown resume policy 'restart'"),
    (lambda d: d.update(currency="XYZ"), "unknown currency"),
    (lambda d: d.update(version=0), "version: must be at least 1"),
    (lambda d: d.update(name="Clinic PO02"), "must be lower-case letters"),
    (lambda d: d.update(steps=[]), "expected a non-empty list of steps"),
    (lambda d: d["steps"][0].update(segments=["X"]), "unknown segment 'X'"),
    (lambda d: d["steps"][0]["actions"][0].update(assignee_role="janitor"),
     "unknown assignee role 'janitor'"),
    (lambda d: d["steps"][0]["actions"][0].update(needs_approval=True),
     "needs_approval is true but no approver_role"),
    (lambda d: d["steps"][0]["actions"][0].update(approver_role="direction"),
     "approver_role is given but needs_approval is not true"),
    (lambda d: d["steps"][0]["actions"][0].update(template="reminder-1"), "a call takes no template"),
    (lambda d: d["steps"][1]["actions"][0].pop("template"), "a letter needs a template"),
    (lambda d: d["steps"][0]["actions"][0].update(kind="handover"), "a handover needs to_phase or to_team"),
    (lambda d: d["steps"][0]["actions"][0].update(to_phase="judicial"), "belong to a handover only"),
    (lambda d: d["steps"][1]["condition"]["overdue_balance_above"].pop("P"), "no amount for segment(s) P"),
    (lambda d: d["steps"][1]["condition"]["overdue_balance_above"].update(P=-1), "a whole number >= 0"),
    (lambda d: d["steps"][1]["condition"]["overdue_balance_above"].update(P=2.5), "a whole number >= 0"),
    (lambda d: d["steps"][1].update(condition={}), "an empty condition"),
    (lambda d: d["steps"][1].update(condition={"promise_broken": False}), "can only be true"),
    (lambda d: d["steps"][0].update(actions=[]), "expected a non-empty list of actions"),
    (lambda d: d["steps"][0]["when"].update({"from": "previous_step"}), "no step comes before it"),
    (lambda d: d["steps"][1]["when"].update({"from": "previous_step", "offset": 0}),
     "must be at least 1 after previous_step"),
    (lambda d: d["steps"][1]["when"].update({"from": ["previous_step", "due_date"]}),
     "previous_step cannot be combined"),
    (lambda d: d["steps"][0]["actions"][0].update(condition={"promise_broken": True}),
     "every action has a condition; put it on the step instead"),
])
def test_invalid_playbooks_say_what_is_wrong(edit, expected):
    data = copy.deepcopy(minimal())
    edit(data)
    assert any(expected in problem for problem in problems_of(data)), problems_of(data)


def test_every_fault_is_reported_at_once_with_its_path():
    data = minimal()
    data["steps"][0]["actions"][0]["kind"] = "fax"
    data["steps"][1]["when"]["unit"] = "years"
    problems = problems_of(data)
    assert len(problems) == 2
    assert problems[0].startswith("steps[0] (w01-call).actions[0].kind: unknown action kind 'fax'")
    assert problems[1].startswith("steps[1] (w02-letter).when.unit: unknown unit 'years'")


def test_a_step_after_a_conditional_step_cannot_count_from_its_completion():
    data = minimal()
    data["steps"].append({"code": "after", "when": {"offset": 3, "unit": "days", "from": "previous_step"},
                          "actions": [{"kind": "call", "assignee_role": "collection_officer"}]})
    assert "may never complete" in problems_of(data)[0]


def test_a_single_threshold_applies_to_every_segment_and_needs_no_segments():
    data = minimal()
    data.pop("segments")
    data["steps"][1]["condition"] = {"overdue_balance_above": 75}
    playbook = playbook_from_dict(data)
    assert playbook.steps[1].condition.overdue_threshold(None) == 75
    data["steps"][1]["condition"] = {"overdue_balance_above": {"G": 1}}
    assert "per-segment amounts need segments" in problems_of(data)[0]


def test_control_characters_are_refused_in_texts():
    data = minimal()
    data["title"] = "Démo\x85"
    assert "control characters are not allowed" in problems_of(data)[0]
    data["title"] = "Démo"
    data["description"] = "Ligne 1\nLigne 2"
    assert playbook_from_dict(data).description == "Ligne 1\nLigne 2"


def test_not_a_mapping_and_bad_text_are_refused():
    with pytest.raises(PlaybookError, match="expected a mapping"):
        playbook_from_dict(["steps"])
    with pytest.raises(PlaybookError, match="not valid YAML"):
        load_yaml("name: [unclosed")
    with pytest.raises(PlaybookError, match="not valid JSON"):
        load_json("{name:")


def test_the_builtins_are_shipped():
    assert builtin_names() == BUILTINS
    with pytest.raises(KeyError):
        builtin_text("nope")


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_files_are_in_canonical_form(name):
    """dump(load(x)) == x: what the file says is exactly what is loaded."""
    text = builtin_text(name)
    playbook = load_yaml(text)
    assert playbook.name == name
    assert playbook_to_dict(playbook) == yaml.safe_load(text)
    assert yaml.safe_load(dump_yaml(playbook)) == yaml.safe_load(text)
    assert json.loads(dump_json(playbook)) == yaml.safe_load(text)


@pytest.mark.parametrize("name", BUILTINS)
def test_builtins_round_trip_through_yaml_and_json(name):
    playbook = load_builtin(name)
    assert load_yaml(dump_yaml(playbook)) == playbook
    assert load_json(dump_json(playbook)) == playbook
    assert load_yaml(dump_json(playbook)) == playbook  # JSON is YAML too
    assert dump_yaml(load_yaml(dump_yaml(playbook))) == dump_yaml(playbook)


# --- random valid playbooks round-trip ---------------------------------------------

SEGMENTS = ["G", "M", "P"]
slugs = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
texts = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
                max_size=12).filter(str.strip)


@st.composite
def conditions(draw, segments):
    data = {}
    if draw(st.booleans()):
        amounts = st.integers(0, 10**12)
        data["overdue_balance_above"] = (
            {s: draw(amounts) for s in segments} if segments and draw(st.booleans())
            else draw(amounts))
    if draw(st.booleans()):
        data["no_payment_since_days"] = draw(st.integers(1, 400))
    if draw(st.booleans()):
        data["promise_broken"] = True
    if not data or draw(st.booleans()):
        data["plan_broken"] = True
    return data


@st.composite
def actions(draw, segments, conditional):
    kind = draw(st.sampled_from(ACTION_KINDS))
    data = {"kind": kind}
    if kind == "letter" or (kind in ("sms", "email") and draw(st.booleans())):
        data["template"] = draw(slugs)
    if draw(st.booleans()):
        data["label"] = draw(texts)
    if kind == "handover":
        data["to_phase"] = draw(st.sampled_from(["judicial", "agency_collection", "creditor"]))
    data["assignee_role"] = draw(st.sampled_from(ASSIGNEE_ROLES))
    if draw(st.booleans()):
        data.update(needs_approval=True, approver_role=draw(st.sampled_from(["direction", "creditor"])))
    if conditional:
        data["condition"] = draw(conditions(segments))
    return data


@st.composite
def playbook_dicts(draw):
    segments = draw(st.sampled_from([[], SEGMENTS]))
    data = {"name": draw(slugs), "version": draw(st.integers(1, 50)), "title": draw(texts)}
    if draw(st.booleans()):
        data["description"] = draw(texts)
    data["currency"] = draw(st.sampled_from(["XOF", "MAD", "EUR"]))
    if segments:
        data["segments"] = segments
    data.update(catch_up=draw(st.sampled_from(["skip", "all"])),
                resume=draw(st.sampled_from(["stay", "shift"])),
                payment_term_days=draw(st.integers(0, 120)), steps=[])
    for index in range(draw(st.integers(1, 5))):
        step_segments = draw(st.lists(st.sampled_from(segments), unique=True)) if segments else []
        scope = step_segments or segments
        references = draw(st.lists(st.sampled_from(["deposit_date", "due_date", "intake_date",
                                                    "issue_date"]), min_size=1, max_size=3, unique=True))
        step = {"code": f"s{index}-{draw(slugs)}"}
        if draw(st.booleans()):
            step["title"] = draw(texts)
        step["when"] = {"offset": draw(st.integers(0, 400)),
                        "unit": draw(st.sampled_from(["days", "weeks", "months"])),
                        "from": references[0] if len(references) == 1 else references}
        if step_segments:
            step["segments"] = step_segments
        if draw(st.booleans()):
            step["condition"] = draw(conditions(scope))
        if draw(st.booleans()):
            step.update(needs_approval=True, approver_role="direction")
        step["actions"] = [draw(actions(scope, False))]
        step["actions"] += draw(st.lists(actions(scope, True), max_size=2))
        data["steps"].append(step)
    return data


@settings(max_examples=150, deadline=None)
@given(playbook_dicts())
def test_random_canonical_playbooks_round_trip(data):
    playbook = playbook_from_dict(data)
    assert playbook_to_dict(playbook) == data
    assert load_yaml(dump_yaml(playbook)) == playbook
    assert load_json(dump_json(playbook)) == playbook


@pytest.mark.parametrize("text", ["2026-02-30", "name: x\nstart: 2026-13-01", "[" * 5000, "{" * 5000])
def test_text_that_is_not_a_playbook_is_a_playbook_error(text):
    """Never a ValueError from YAML's dates, nor a RecursionError (a 500 on the save page)."""
    with pytest.raises(PlaybookError):
        load_yaml(text)
