"""Promises to pay: taken on the phone, checked the day after the promised date.

A promise is kept when the payments booked on the case ledger since it was made cover its
amount, else broken. While open it pauses the playbook (the engine reads it); a broken one
no longer does, so the playbook resumes on the engine's next pass. The case carries the date of
its open promise (Case.promised_date), kept here, for the call queue.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from agency.domain.money import Money
from agency.models import Case, LedgerEntry, PaymentPromise
from agency.services.audit import current_scope, record


class PromiseError(ValueError):
    pass


def record_promise(session: Session, *, case: Case, promised_date: date, amount: Money,
                   agent_id: int | None = None, note: str | None = None) -> PaymentPromise:
    """A new promise on the case; an earlier open one is replaced (cancelled)."""
    now = current_scope(session).now
    if amount.currency != case.currency:
        raise PromiseError(f"the case is in {case.currency}, the promise in {amount.currency}")
    if amount.minor <= 0:
        raise PromiseError("a promised amount must be positive")
    if promised_date < now.date():
        raise PromiseError("a promised date cannot be in the past")
    session.execute(update(PaymentPromise).where(
        PaymentPromise.case_id == case.id, PaymentPromise.status == "open")
        .values(status="cancelled", resolved_at=now))
    promise = PaymentPromise(case_id=case.id, promised_date=promised_date, amount_minor=amount.minor,
                             currency=amount.currency, status="open", made_by_id=agent_id,
                             created_at=now, note=note)
    session.add(promise)
    case.promised_date = promised_date  # the call queue's index reads it
    session.flush()
    record(session, verb="promise.made", case=case, changes={
        "promise_id": [None, promise.id], "promised_date": [None, promised_date.isoformat()],
        "amount_minor": [None, amount.minor]})
    return promise


def check_promises(session: Session, *, now: datetime) -> dict[str, int]:
    """Settle every open promise whose date has passed (UTC day); returns the counts."""
    today = now.date()
    paid = (select(func.coalesce(-func.sum(LedgerEntry.amount_minor), 0))
            .where(LedgerEntry.case_id == PaymentPromise.case_id, LedgerEntry.kind == "payment",
                   LedgerEntry.booked_at >= PaymentPromise.created_at, LedgerEntry.booked_at <= now)
            .scalar_subquery())
    rows = session.execute(
        select(PaymentPromise.id, PaymentPromise.case_id, PaymentPromise.amount_minor, paid.label("paid"))
        .where(and_(PaymentPromise.status == "open", PaymentPromise.promised_date < today))).all()
    kept = [row for row in rows if row.paid >= row.amount_minor]
    broken = [row for row in rows if row.paid < row.amount_minor]
    for status, group in (("kept", kept), ("broken", broken)):
        if group:
            session.execute(update(PaymentPromise).where(PaymentPromise.id.in_([r.id for r in group]))
                            .values(status=status, resolved_at=now))
    cases = {case.id: case for case in session.scalars(
        select(Case).where(Case.id.in_({row.case_id for row in rows})))} if rows else {}
    for case in cases.values():
        case.promised_date = None  # one open promise at most per case: settled
    for status, group in (("kept", kept), ("broken", broken)):
        for row in group:
            record(session, verb=f"promise.{status}", case=cases[row.case_id], changes={
                "promise_id": [None, row.id], "paid_minor": [None, int(row.paid)]})
    session.flush()
    return {"checked": len(rows), "kept": len(kept), "broken": len(broken)}
