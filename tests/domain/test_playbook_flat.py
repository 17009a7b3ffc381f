"""flatten(): the rows a set-based pass loads into a playbook_step table."""
from __future__ import annotations

from agency.domain.playbook import flatten, load_builtin


def rows_by(name):
    return {(row.code, row.segment): row for row in flatten(load_builtin(name))}


def test_one_row_per_step_and_segment_with_the_segment_threshold():
    rows = rows_by("clinic-po02")
    # two calls shared by G/M/P, one row per segment at 10, 12, 14 and 18 weeks, then
    # m05 (M), m06 (G) and the two P steps after the suspension
    assert len(rows) == 2 * 3 + 4 * 3 + 2 + 2
    assert rows[("w10-letter-1", "G")].overdue_above_minor == 10_000_000
    assert rows[("w10-letter-1", "P")].overdue_above_minor == 2_000_000
    assert rows[("w10-call-summary-letter-1", "M")].overdue_above_minor == 5_000_000
    assert ("w10-letter-1", "M") not in rows
    assert rows[("w08-call", "G")].overdue_above_minor is None
    assert (rows[("w08-call", "P")].offset, rows[("w08-call", "P")].unit) == (8, "weeks")
    assert rows[("w08-call", "P")].references == ("deposit_date",)


def test_ranks_order_each_segment_and_previous_step_is_resolved():
    rows = rows_by("clinic-po02")
    p_steps = sorted((row for row in rows.values() if row.segment == "P"), key=lambda r: r.rank)
    assert [row.code for row in p_steps] == [
        "w08-call", "w09-call", "w10-letter-1", "w12-letter-2", "w14-visit", "w18-suspend",
        "p-formal-notice", "p-handover"]
    assert [row.rank for row in p_steps] == list(range(8))
    assert rows[("p-formal-notice", "P")].previous_code == "w18-suspend"
    assert rows[("p-handover", "P")].previous_code == "p-formal-notice"
    assert rows[("p-handover", "P")].position == 15
    assert rows[("w18-suspend", "P")].previous_code is None


def test_actions_carry_their_approval_and_own_threshold():
    rows = rows_by("clinic-po02")
    letter, visit = rows[("w14-letter-2-visit-raf", "G")].actions
    assert (letter.kind, letter.template, letter.approver_role) == ("letter", "reminder-2", "direction")
    assert letter.overdue_above_minor == 10_000_000
    assert (visit.kind, visit.assignee_role, visit.approver_role) == ("visit", "finance_manager", None)
    suspend, handover = rows[("m06-suspend-handover", "G")].actions
    assert rows[("m06-suspend-handover", "G")].approver_role == "direction"
    assert suspend.approver_role == handover.approver_role == "direction"   # the step's approval
    assert (handover.to_phase, handover.position) == ("agency_collection", 1)


def test_a_playbook_without_segments_has_one_row_per_step():
    rows = flatten(load_builtin("bank-amicable-3"))
    assert [row.segment for row in rows] == [None] * 11
    assert rows[0].references == ("intake_date", "due_date")
    assert rows[-1].overdue_above_minor == 500_000
    assert (rows[-1].playbook, rows[-1].version) == ("bank-amicable-3", 1)
