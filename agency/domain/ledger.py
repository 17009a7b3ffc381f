"""Ledger arithmetic: signs by entry kind, reversals, the balance as a sum."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from agency.domain.money import Money, sum_money

# kind -> allowed sign of amount: +1 the debtor owes more, -1 less, 0 either.
ENTRY_SIGNS = {
    "claim": 1,
    "fee": 1,
    "interest": 1,
    "refund": 1,      # money given back to the debtor raises what it owes back to zero
    "payment": -1,
    "write_off": -1,
    "adjustment": 0,
}
ENTRY_KINDS = tuple(ENTRY_SIGNS)


class LedgerError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class EntryView:
    """What the arithmetic needs of an entry."""

    id: int | None
    kind: str
    amount: Money
    reverses_id: int | None = None


def check_entry(kind: str, amount: Money) -> None:
    """Refuse an unknown kind, a zero amount, or a sign the kind does not allow."""
    if kind not in ENTRY_SIGNS:
        raise LedgerError(f"unknown ledger entry kind: {kind}")
    if amount.minor == 0:
        raise LedgerError("a ledger entry cannot be zero")
    sign = ENTRY_SIGNS[kind]
    if sign and (amount.minor > 0) != (sign > 0):
        raise LedgerError(f"a {kind} entry must be {'positive' if sign > 0 else 'negative'}")


def reversal_of(entry: EntryView, already_reversed: bool) -> EntryView:
    """The entry that cancels ``entry``: same kind, opposite amount, pointing back at it."""
    if entry.reverses_id is not None:
        raise LedgerError("a reversal is not reversed; post a new entry instead")
    if already_reversed:
        raise LedgerError("this entry is already reversed")
    return EntryView(id=None, kind=entry.kind, amount=-entry.amount, reverses_id=entry.id)


def balance(entries: Iterable[EntryView], currency: str) -> Money:
    """The balance is the plain sum of every entry, reversals included."""
    return sum_money((e.amount for e in entries), currency)
