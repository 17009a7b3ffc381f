"""The set-based pass against ``schedule.evaluate`` on the same random cases.

Random cases of three playbooks (segments and thresholds, months and catch-up: all,
day clocks from two references), with partial and unallocated payments, holds and
broken promises, are passed day after day. Before each pass the test computes, from its
own inputs, what evaluate says for every case; the pass must fire, skip and make
actions exactly so, leave untouched the cases evaluate has nothing for, and set
next_step_at to evaluate's wake-up day.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from agency.domain.money import Money
from agency.domain.playbook import load_builtin
from agency.domain.playbook.case import CaseState, Claim, Hold, Pause, StepRecord
from agency.domain.playbook.schedule import evaluate
from agency.domain.timezones import UTC
from agency.models import Action, PaymentPromise
from agency.models.playbook import CaseEngine, CaseStep
from agency.services.audit import Actor, audit_scope
from agency.services.cases import ClaimInput, open_case
from agency.services.engine.daily import run_pass
from agency.services.actions import end_action
from agency.services.engine.holds import hold_case
from agency.services.ledger import post_entry

T0_DAY = date(2026, 3, 2)
PLAYBOOKS = {"clinic-po02": ("SN", "XOF"), "public-fund-monthly": ("MA", "MAD"),
             "bank-amicable-3": ("MA", "MAD")}


class World:
    """The test's own account of each case: claims, payments, holds, pauses."""

    def __init__(self):
        self.cases = {}

    def state(self, session, case_id, today):
        info = self.cases[case_id]
        records = tuple(StepRecord(r.step_code, r.status, r.on_date) for r in session.scalars(
            select(CaseStep).where(CaseStep.case_id == case_id)))
        return CaseState(info["segment"], tuple(self._claims(info)), records,
                         holds=tuple(info["holds"]), pauses=tuple(info["pauses"]),
                         last_payment_on=info["last_paid"], currency=info["currency"],
                         payment_term_days=30)

    @staticmethod
    def _claims(info):
        claims = []
        for c in info["claims"]:
            claims.append(dict(c, unpaid=c["amount"] - c["paid"],
                               eff=c["due"] or c["deposit"] + timedelta(days=30)))
        free = info["free"]
        for c in sorted(claims, key=lambda c: (c["eff"], c["id"])):
            take = min(max(c["unpaid"], 0), free)
            c["unpaid"] -= take
            free -= take
        return [Claim(c["id"], c["unpaid"], intake_date=T0_DAY, deposit_date=c["deposit"],
                      due_date=c["due"]) for c in sorted(claims, key=lambda c: c["id"])]


def make_world(session, make_creditor, make_debtor, rng, count):
    world = World()
    creditors = {name: make_creditor(f"EQ{i}", country=country, currency=currency, playbook=name,
                                     terms={"payment_term_days": 30})
                 for i, (name, (country, currency)) in enumerate(PLAYBOOKS.items())}
    for n in range(count):
        name = rng.choice(list(PLAYBOOKS))
        creditor = creditors[name]
        segment = rng.choice("GMP") if name == "clinic-po02" else None
        scale = {"XOF": 1_000_000, "MAD": 100_000}[creditor.currency]
        claims = []
        for k in range(rng.randint(1, 3)):
            deposit = T0_DAY - timedelta(days=rng.randint(0, 150))
            due = deposit + timedelta(days=rng.randint(0, 60)) if rng.random() < 0.6 else None
            claims.append(ClaimInput(f"F{n}-{k}", Money(rng.randint(1, 12) * scale, creditor.currency),
                                     deposit_date=deposit, due_date=due, issue_date=deposit))
        case = open_case(session, creditor=creditor, debtor=make_debtor(f"Debtor {n}"),
                         external_ref=f"EQ-{n}", claims=claims, segment=segment)
        info = {"segment": segment, "currency": creditor.currency, "holds": [], "pauses": [],
                "last_paid": None, "free": 0, "playbook": name, "case": case,
                "claims": [{"id": c.id, "amount": c.amount_minor, "paid": 0, "deposit": c.deposit_date,
                            "due": c.due_date} for c in case.claims]}
        world.cases[case.id] = info
        _payments(session, rng, case, info)
    return world


def _payments(session, rng, case, info):
    for claim in info["claims"]:
        if rng.random() < 0.3:
            paid = rng.choice([claim["amount"], claim["amount"] // 2])
            day = T0_DAY - timedelta(days=rng.randint(0, 40))
            post_entry(session, case=case, kind="payment", amount=Money(-paid, info["currency"]),
                       claim_id=claim["id"], value_date=day)
            claim["paid"] += paid
            info["last_paid"] = max(info["last_paid"] or day, day)
    if rng.random() < 0.2:
        free = rng.randint(1, 3) * info["claims"][0]["amount"] // 2
        day = T0_DAY - timedelta(days=rng.randint(0, 40))
        post_entry(session, case=case, kind="payment", amount=Money(-free, info["currency"]),
                   value_date=day)
        info["free"] += free
        info["last_paid"] = max(info["last_paid"] or day, day)


def _events(session, rng, world, now, today):
    """Holds and promises made or broken on this day, as a user would."""
    for case_id, info in world.cases.items():
        roll = rng.random()
        if roll < 0.04 and not info["holds"]:
            until = today + timedelta(days=rng.randint(3, 40))
            hold_case(session, info["case"], until=until, reason="garant en difficulté",
                      approved_by="Direction")
            info["holds"].append(Hold(today, until))
        elif roll < 0.08 and not info["pauses"]:
            promise = PaymentPromise(case_id=case_id, promised_date=today + timedelta(days=300),
                                     amount_minor=1000, currency=info["currency"], status="open",
                                     created_at=now)
            session.add(promise)
            info["pauses"].append([promise, today])
        elif roll < 0.2 and info["pauses"] and info["pauses"][-1][0].status == "open":
            promise = info["pauses"][-1][0]
            promise.status, promise.resolved_at = "broken", now
    session.flush()


def _pauses(info):
    return [Pause("promise", start, None if p.status == "open" else p.resolved_at.date(),
                  p.status == "broken") for p, start in info["pauses"]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_pass_equals_evaluate(session, make_creditor, make_debtor, scope, seed):
    rng = random.Random(seed)
    world = make_world(session, make_creditor, make_debtor, rng, count=45)
    playbooks = {name: load_builtin(name) for name in PLAYBOOKS}
    day = T0_DAY + timedelta(days=1)
    for _ in range(9):
        now = datetime.combine(day, time(7, 0), tzinfo=UTC)
        with audit_scope(session, Actor.system("test"), now):
            _events(session, rng, world, now, day)
        expected = {}
        for case_id, info in world.cases.items():
            state = world.state(session, case_id, day)
            state = CaseState(state.segment, state.claims, state.records, state.holds,
                              tuple(_pauses(info)), state.last_payment_on, state.currency, 30)
            expected[case_id] = evaluate(playbooks[info["playbook"]], state, day)
        with audit_scope(session, Actor.system("tick"), now):
            result = run_pass(session, now=now)
        _compare(session, world, expected, result["pass_id"], day, now)
        _complete_some(session, rng, now)
        day += timedelta(days=rng.randint(1, 25))


def _compare(session, world, expected, pass_id, today, now):
    steps = {}
    for row in session.scalars(select(CaseStep).where(CaseStep.pass_id == pass_id)):
        steps.setdefault(row.case_id, []).append(row)
    for case_id, ev in expected.items():
        rows = steps.get(case_id, [])
        fired = sorted(r.step_code for r in rows if r.status != "skipped")
        skipped = sorted((r.step_code, r.reason) for r in rows if r.status == "skipped")
        assert fired == sorted(d.code for d in ev.fire), (case_id, ev)
        assert skipped == sorted((s.code, s.reason) for s in ev.skip), (case_id, ev)
        for due in ev.fire:
            actions = session.scalars(select(Action).where(
                Action.case_id == case_id, Action.step_code == due.code).order_by(Action.id)).all()
            assert [a.kind for a in actions] == [a.kind for a in due.actions], (case_id, due)
            assert all(sorted(a.claim_ids) == sorted(due.claim_ids) for a in actions)
        engine = session.get(CaseEngine, case_id)
        session.refresh(engine)
        if engine.updated_at == now:
            wake = ev.resume_on if ev.held else ev.wake_on
            assert engine.next_step_at == wake, (case_id, ev, engine.next_step_at)
            assert engine.current_step == ev.current, (case_id, ev)
        else:  # not due: evaluate must have nothing for it either
            assert not ev.fire and not ev.skip, (case_id, ev, engine.next_step_at)


def _complete_some(session, rng, now):
    with audit_scope(session, Actor.system("agent"), now):
        pending = session.scalars(select(Action).where(
            Action.status.in_(("planned", "due")))).all()
        for action in pending:
            if rng.random() < 0.5:
                end_action(session, action, status="done", outcome="done")
