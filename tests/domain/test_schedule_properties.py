"""Properties of the pass over random cases and random run days, for the three built-ins."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from agency.domain.playbook import load_builtin
from agency.domain.playbook.case import CaseState, Claim, Hold, Pause, StepRecord
from agency.domain.playbook.schedule import evaluate

PLAYBOOKS = {name: load_builtin(name) for name in
             ["clinic-po02", "bank-amicable-3", "public-fund-monthly"]}
START = date(2024, 1, 1)


@st.composite
def cases(draw):
    name = draw(st.sampled_from(sorted(PLAYBOOKS)))
    playbook = PLAYBOOKS[name]
    segment = draw(st.sampled_from(playbook.segments)) if playbook.segments else None
    claims = []
    for index in range(draw(st.integers(1, 4))):
        deposit = START + timedelta(days=draw(st.integers(0, 120)))
        due = draw(st.one_of(st.none(), st.integers(0, 60).map(lambda n: deposit + timedelta(n))))
        claims.append(Claim(f"c{index}", draw(st.integers(0, 15_000_000)), intake_date=deposit,
                            deposit_date=deposit, due_date=due, issue_date=deposit,
                            paid=draw(st.booleans()) and draw(st.booleans())))
    holds, pauses = [], []
    if draw(st.integers(0, 2)) == 0:
        first = START + timedelta(days=draw(st.integers(0, 200)))
        holds.append(Hold(first, first + timedelta(days=draw(st.integers(0, 60)))))
    if draw(st.integers(0, 2)) == 0:
        first = START + timedelta(days=draw(st.integers(0, 200)))
        end = draw(st.one_of(st.none(), st.integers(1, 60).map(lambda n: first + timedelta(n))))
        pauses.append(Pause(draw(st.sampled_from(["dispute", "plan", "promise"])), first, end,
                            broken=end is not None and draw(st.booleans())))
    last_payment = draw(st.one_of(st.none(), st.integers(0, 200).map(lambda n: START + timedelta(n))))
    base = CaseState(segment, tuple(claims), holds=tuple(holds), pauses=tuple(pauses),
                     last_payment_on=last_payment)
    run_days = sorted(set(draw(st.lists(st.integers(0, 330), min_size=1, max_size=12))))
    status = draw(st.sampled_from(["done", "done", "pending"]))
    return playbook, base, [START + timedelta(days=n) for n in run_days], status


def with_records(case: CaseState, records) -> CaseState:
    return CaseState(case.segment, case.claims, tuple(records), case.holds, case.pauses,
                     case.last_payment_on)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_running_twice_the_same_day_creates_nothing_new(params):
    playbook, case, days, status = params
    records: list[StepRecord] = []
    fired_codes: list[str] = []
    for today in days:
        first = evaluate(playbook, with_records(case, records), today)
        records += first.records(today, status)
        fired_codes += [due.code for due in first.fire]
        again = evaluate(playbook, with_records(case, records), today)
        assert again.fire == () and again.skip == ()
        assert again.current == first.current
        if playbook.catch_up == "skip":
            assert len(first.fire) <= 1
        for due in first.fire:
            assert due.due_on <= today and due.claim_ids
            assert set(due.claim_ids) <= {c.id for c in case.claims if c.in_clock}
    assert len(fired_codes) == len(set(fired_codes))       # a step fires once per case


@settings(max_examples=250, deadline=None)
@given(cases(), st.lists(st.integers(1, 400), min_size=1, max_size=4))
def test_nothing_happens_before_the_wake_up_day(params, probes):
    """What makes an indexed next_step_at safe: the pass may skip a case until then."""
    playbook, case, days, status = params
    records: list[StepRecord] = []
    for today in days:
        result = evaluate(playbook, with_records(case, records), today)
        records += result.records(today, status)
        settled = with_records(case, records)
        wake = result.wake_on
        assert wake is None or wake > today
        for probe in probes:
            later = today + timedelta(days=probe)
            if wake is not None and later >= wake:
                continue
            quiet = evaluate(playbook, settled, later)
            assert quiet.fire == () and quiet.skip == (), (today, later, wake)
