"""Promises to pay: kept or broken the day after the promised date."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from agency.domain.money import Money
from agency.domain.timezones import UTC
from agency.models import AuditEvent, PaymentPromise
from agency.services.audit import Actor, audit_scope
from agency.services.ledger import post_entry
from agency.services.calls.promises import PromiseError, check_promises, record_promise


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 12, tzinfo=UTC)


def promise(session, case, day: int, amount: int):
    return record_promise(session, case=case, promised_date=date(2026, 3, day), amount=Money(amount, "XOF"))


def pay(session, case, amount: int, day: int, key: str):
    with audit_scope(session, Actor.system("test"), at(day)):
        post_entry(session, case=case, kind="payment", amount=Money(-amount, "XOF"), idempotency_key=key)


def test_kept_broken_and_not_yet_due(session, scope, make_case):
    kept_case, broken_case, later_case, early_case = (make_case() for _ in range(4))
    kept, broken = promise(session, kept_case, 10, 50_000), promise(session, broken_case, 10, 50_000)
    later = promise(session, later_case, 20, 10_000)
    unpaid = promise(session, early_case, 10, 10_000)
    assert [c.promised_date for c in (kept_case, later_case)] == [date(2026, 3, 10), date(2026, 3, 20)]
    pay(session, kept_case, 30_000, 5, "p1")
    pay(session, kept_case, 20_000, 10, "p2")
    pay(session, broken_case, 49_999, 9, "p3")
    with audit_scope(session, Actor.system("test"), at(10)):
        assert check_promises(session, now=at(10))["checked"] == 0  # the promised day itself
    with audit_scope(session, Actor.system("tick"), at(11)):
        counts = check_promises(session, now=at(11))
    assert counts == {"checked": 3, "kept": 1, "broken": 2}
    session.expire_all()
    assert [session.get(PaymentPromise, p.id).status for p in (kept, broken, later, unpaid)] == [
        "kept", "broken", "open", "broken"]
    # the queue's date on the case goes with the open promise
    assert [session.get(type(c), c.id).promised_date for c in (kept_case, broken_case, later_case, early_case)] == [
        None, None, date(2026, 3, 20), None]
    verbs = set(session.scalars(select(AuditEvent.verb).where(AuditEvent.verb.like("promise.%"))))
    assert verbs == {"promise.made", "promise.kept", "promise.broken"}
    with audit_scope(session, Actor.system("tick"), at(12)):
        assert check_promises(session, now=at(12))["checked"] == 0  # settled once


def test_payments_before_the_promise_do_not_count(session, make_case):
    case = make_case()
    pay(session, case, 50_000, 1, "before")
    with audit_scope(session, Actor.system("test"), at(2)):
        record = promise(session, case, 5, 50_000)
    with audit_scope(session, Actor.system("tick"), at(6)):
        assert check_promises(session, now=at(6))["broken"] == 1
    assert record.status in ("open", "broken")


def test_a_new_promise_replaces_the_open_one_and_bad_ones_are_refused(session, scope, make_case):
    case = make_case()
    first = promise(session, case, 10, 1_000)
    promise(session, case, 12, 2_000)
    session.expire_all()
    assert session.get(PaymentPromise, first.id).status == "cancelled"
    for day, amount, currency in ((1, 1_000, "XOF"), (10, 0, "XOF"), (10, 100, "EUR")):
        with pytest.raises(PromiseError):
            record_promise(session, case=case, promised_date=date(2026, 3, day), amount=Money(amount, currency))
