"""Posting to and reading the case ledger."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agency.domain import ledger as rules
from agency.domain.money import Money
from agency.models import Case, LedgerEntry
from agency.services.audit import current_scope, record


def post_entry(session: Session, *, case: Case, kind: str, amount: Money,
               value_date: date | None = None, claim_id: int | None = None,
               description: str | None = None, idempotency_key: str | None = None,
               ) -> LedgerEntry:
    """Append an entry to the case ledger; with a key, a second post returns the first."""
    scope = current_scope(session)
    if amount.currency != case.currency:
        raise rules.LedgerError(f"case is in {case.currency}, entry in {amount.currency}")
    rules.check_entry(kind, amount)
    if idempotency_key is not None:
        existing = _entry_with_key(session, idempotency_key)
        if existing is not None:
            return existing
    entry = LedgerEntry(
        case_id=case.id, claim_id=claim_id, kind=kind, amount_minor=amount.minor,
        currency=amount.currency, value_date=value_date or scope.now.date(),
        booked_at=scope.now, description=description, idempotency_key=idempotency_key,
        actor_id=scope.actor.user_id,
    )
    try:
        # A savepoint, so a concurrent twin loses on the unique key without
        # spoiling the caller's transaction.
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        existing = idempotency_key and _entry_with_key(session, idempotency_key)
        if not existing:
            raise
        return existing
    record(session, verb=f"ledger.{kind}", case=case,
           changes={"amount_minor": [None, amount.minor], "entry_id": [None, entry.id]})
    return entry


def _entry_with_key(session: Session, key: str) -> LedgerEntry | None:
    return session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == key))


def reverse_entry(session: Session, *, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Cancel an entry by a new opposite one; the original is never edited."""
    scope = current_scope(session)
    already = session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id))
    view = rules.reversal_of(_view(entry), already_reversed=already is not None)
    reversal = LedgerEntry(
        case_id=entry.case_id, claim_id=entry.claim_id, kind=view.kind,
        amount_minor=view.amount.minor, currency=entry.currency, value_date=scope.now.date(),
        booked_at=scope.now, description=reason, reverses_id=entry.id,
        actor_id=scope.actor.user_id,
    )
    session.add(reversal)
    session.flush()
    case = session.get(Case, entry.case_id)
    record(session, verb="ledger.reversal", case=case, reason=reason,
           changes={"reversed_entry_id": [None, entry.id], "amount_minor": [None, view.amount.minor]})
    return reversal


def _view(entry: LedgerEntry) -> rules.EntryView:
    return rules.EntryView(id=entry.id, kind=entry.kind,
                           amount=Money(entry.amount_minor, entry.currency),
                           reverses_id=entry.reverses_id)


def case_balance(session: Session, case: Case) -> Money:
    """The balance derived from the entries: their sum, in SQL."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .where(LedgerEntry.case_id == case.id))
    return Money(int(total), case.currency)


def ledger_of(session: Session, case: Case) -> list[LedgerEntry]:
    return list(session.scalars(
        select(LedgerEntry).where(LedgerEntry.case_id == case.id)
        .order_by(LedgerEntry.booked_at, LedgerEntry.id)))


def balances_by_case(session: Session, case_ids: list[int]) -> dict[int, int]:
    """case id -> balance in minor units, for a page of cases, in one query."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(LedgerEntry.case_id, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.case_id.in_(case_ids)).group_by(LedgerEntry.case_id))
    return {case_id: int(total) for case_id, total in rows}
