"""The clinic's procedure (PO02) walked week by week, for one guarantor of each category.

Invoices are deposited on Monday 15 January 2024 (week 0); the pass runs every
Monday for weeks 0..30 and the caller records what it fired as done that day.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from agency.domain.playbook import load_builtin
from agency.domain.playbook.case import CaseState, Claim, Hold, StepRecord
from agency.domain.playbook.schedule import evaluate

CLINIC = load_builtin("clinic-po02")
D = date(2024, 1, 15)
# A derogation negotiated at week 9 + 3 days, until the Sunday ending week 15.
DEROGATION = Hold(D + timedelta(days=66), D + timedelta(days=105), "garant en difficulté")
THRESHOLD = {"G": 10_000_000, "M": 5_000_000, "P": 2_000_000}


def walk(segment, claims, holds=(), weeks=range(31)):
    """Run the weekly pass; returns {week: (fired codes with their kept action kinds, skips)}."""
    records: list[StepRecord] = []
    log = {}
    for week in weeks:
        today = D + timedelta(weeks=week)
        case = CaseState(segment, tuple(claims), tuple(records), holds=tuple(holds))
        result = evaluate(CLINIC, case, today)
        if result.fire or result.skip:
            log[week] = ({due.code: tuple(a.kind for a in due.actions) for due in result.fire},
                         {skip.code: skip.reason for skip in result.skip})
        records += [StepRecord(r.code, "done", r.on) for r in result.records(today)]
    return log


def one_invoice(amount):
    return [Claim("F-001", amount, deposit_date=D, intake_date=D)]


CALLS = {8: ({"w08-call": ("call",)}, {}), 9: ({"w09-call": ("call",)}, {})}

EXPECTED = {
    ("G", "above", "none"): {
        10: ({"w10-letter-1": ("letter",)}, {}),
        12: ({"w12-visit-1": ("visit",)}, {}),
        14: ({"w14-letter-2-visit-raf": ("letter", "visit")}, {}),
        18: ({"w18-formal-notice-visit-do": ("formal_notice", "visit")}, {}),
        26: ({"m06-suspend-handover": ("suspend_service", "handover")}, {}),  # 15 July = 6 months
    },
    ("G", "below", "none"): {
        12: ({"w12-visit-1": ("visit",)}, {"w10-letter-1": "condition_not_met"}),
        14: ({"w14-letter-2-visit-raf": ("visit",)}, {}),       # the letter needs > 10M
        18: ({"w18-formal-notice-visit-do": ("formal_notice", "visit")}, {}),
        26: ({"m06-suspend-handover": ("suspend_service", "handover")}, {}),
    },
    ("M", "above", "none"): {
        10: ({"w10-call-summary-letter-1": ("call", "summary_email", "letter")}, {}),
        12: ({"w12-visit-1": ("visit",)}, {}),
        14: ({"w14-letter-2-visit-ac": ("letter", "visit")}, {}),
        18: ({"w18-formal-notice": ("formal_notice",)}, {}),
        22: ({"m05-suspend-handover": ("suspend_service", "handover")}, {}),  # 15 June, run on 17
    },
    ("M", "below", "none"): {
        12: ({"w12-visit-1": ("visit",)}, {"w10-call-summary-letter-1": "condition_not_met"}),
        14: ({"w14-letter-2-visit-ac": ("visit",)}, {}),
        18: ({"w18-formal-notice": ("formal_notice",)}, {}),
        22: ({"m05-suspend-handover": ("suspend_service", "handover")}, {}),
    },
    ("P", "above", "none"): {
        10: ({"w10-letter-1": ("letter",)}, {}),
        12: ({"w12-letter-2": ("letter",)}, {}),
        14: ({"w14-visit": ("visit",)}, {}),
        18: ({"w18-suspend": ("suspend_service",)}, {}),
        20: ({"p-formal-notice": ("formal_notice",)}, {}),    # suspension done + 2 weeks
        23: ({"p-handover": ("handover",)}, {}),              # formal notice + 15 days = day 155
    },
    ("P", "below", "none"): {
        14: ({"w14-visit": ("visit",)}, {"w12-letter-2": "condition_not_met"}),
        12: ({}, {"w10-letter-1": "condition_not_met"}),
        18: ({"w18-suspend": ("suspend_service",)}, {}),
        20: ({"p-formal-notice": ("formal_notice",)}, {}),
        23: ({"p-handover": ("handover",)}, {}),
    },
}
# With the derogation nothing fires in weeks 10 to 15; on week 16 the case resumes at
# the step its clock stands at (14 weeks), what fell due while held is skipped, and
# the offsets are not shifted (resume: stay).
for segment, w10, w12, w14 in [("G", "w10-letter-1", "w12-visit-1", "w14-letter-2-visit-raf"),
                               ("M", "w10-call-summary-letter-1", "w12-visit-1", "w14-letter-2-visit-ac"),
                               ("P", "w10-letter-1", "w12-letter-2", "w14-visit")]:
    for level in ("above", "below"):
        plain = EXPECTED[(segment, level, "none")]
        held = {week: entry for week, entry in plain.items() if week >= 18}
        w14_kinds = plain[14][0][w14]
        skips = {w10: "held" if level == "above" else "condition_not_met",
                 w12: "held" if level == "above" or segment != "P" else "condition_not_met"}
        held[16] = ({w14: w14_kinds}, skips)
        EXPECTED[(segment, level, "derogation")] = held


@pytest.mark.parametrize("derogation", ["none", "derogation"])
@pytest.mark.parametrize("level", ["above", "below"])
@pytest.mark.parametrize("segment", ["G", "M", "P"])
def test_weekly_walk(segment, level, derogation):
    amount = THRESHOLD[segment] + 1 if level == "above" else THRESHOLD[segment] - 1
    holds = [DEROGATION] if derogation == "derogation" else []
    expected = {**CALLS, **EXPECTED[(segment, level, derogation)]}
    assert walk(segment, one_invoice(amount), holds) == expected


@pytest.mark.parametrize("segment", ["G", "M", "P"])
def test_a_balance_equal_to_the_threshold_does_not_exceed_it(segment):
    log = walk(segment, one_invoice(THRESHOLD[segment]))
    fired = {code for fired, _ in log.values() for code in fired}
    assert not fired & {"w10-letter-1", "w10-call-summary-letter-1", "w12-letter-2"}


def test_the_derogation_resumes_the_day_after_it_ends_with_the_current_step():
    claims = tuple(one_invoice(12_000_000))
    records = tuple(StepRecord(code, "done", D + timedelta(weeks=w))
                    for code, w in [("w08-call", 8), ("w09-call", 9)])
    held_day = evaluate(CLINIC, CaseState("G", claims, records, holds=(DEROGATION,)), DEROGATION.until)
    assert held_day.held and not held_day.fire and not held_day.skip
    assert held_day.current == "w14-letter-2-visit-raf"
    assert held_day.resume_on == DEROGATION.until + timedelta(days=1)
    assert (held_day.next.code, held_day.next.on) == ("w14-letter-2-visit-raf", held_day.resume_on)
    assert held_day.wake_on == held_day.resume_on
    resumed = evaluate(CLINIC, CaseState("G", claims, records, holds=(DEROGATION,)),
                       held_day.resume_on)
    assert [due.code for due in resumed.fire] == ["w14-letter-2-visit-raf"]
    assert resumed.fire[0].due_on == D + timedelta(weeks=14)   # not shifted
    assert [(s.code, s.reason) for s in resumed.skip] == [("w10-letter-1", "held"),
                                                          ("w12-visit-1", "held")]
    assert (resumed.next.code, resumed.next.on) == ("w18-formal-notice-visit-do", D + timedelta(weeks=18))


def test_the_approval_is_carried_by_the_letter_actions():
    case = CaseState("M", tuple(one_invoice(6_000_000)),
                     (StepRecord("w08-call", "done", D), StepRecord("w09-call", "done", D)))
    due = evaluate(CLINIC, case, D + timedelta(weeks=10)).fire[0]
    step = CLINIC.step(due.code)
    approvals = {action.kind: step.approval_for(action) for action in due.actions}
    assert approvals == {"call": None, "summary_email": None, "letter": "direction"}
    assert due.claim_ids == ("F-001",)
