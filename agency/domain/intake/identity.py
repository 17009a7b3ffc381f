"""What makes a row the same case, the same claim or the same debtor as another one.

Claim key (stable across re-imports, so an updated file updates its claims):
- The file has a claim reference column: ``ref:<REFERENCE>``, scoped by the service to the
  creditor. The amount is never part of a key: a new amount updates the same claim.
  A reference seen twice in one file is a doubled row and is rejected.
- No claim reference column: ``<case key>|<claim date>#<n>`` where the claim date is the
  issue date, else the deposit date, else the due date ('-' if none), and n numbers the
  rows sharing that case and date in file order. Rows of other cases or dates moving
  around do not change it; only reordering two rows of the same case and date swaps
  them. A creditor whose rows differ by nothing else (e.g. monthly lists without a
  date) must send a reference or a date column, or each import updates last month's claims.
Case key: ``case:<CASE REF>``, else the debtor key (one case per debtor in the file).
Debtor key: company ID, else national ID, else the normalised name. Across files, the
service matches debtors with ``same_debtor``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from agency.domain.intake.names import names_match, normalise_name


def debtor_key(company_id: str | None, national_id: str | None, name: str) -> str:
    """'co:<id>', 'id:<id>' or 'name:<normalised name>'."""
    if company_id:
        return f"co:{company_id}"
    if national_id:
        return f"id:{national_id}"
    return f"name:{normalise_name(name)}"


def case_key(case_ref: str | None, debtor: str) -> str:
    """'case:<REF>' (upper-cased) when the file has case references, else the debtor key."""
    return f"case:{case_ref.upper()}" if case_ref else debtor


def claim_base_key(claim_ref: str | None, case: str, claim_date: date | None) -> str:
    """The claim key before occurrence numbering (see the module docstring)."""
    if claim_ref:
        return f"ref:{claim_ref.upper()}"
    return f"{case}|{claim_date.isoformat() if claim_date else '-'}"


_LOW_64 = (1 << 64) - 1


def _digest(text: str) -> int:
    # A 128-bit digest (two salted hashes) instead of the key's text keeps a million-row
    # file's state small; it lives for one pass in one process, where hash() is stable.
    return (hash(text) << 64) | (hash("#" + text) & _LOW_64)


@dataclass(frozen=True, slots=True)
class KeyVerdict:
    """A claim's key in its file; ``doubled_line`` is the earlier line with the same reference,
    ``same_as_line`` an earlier reference-less line with the same case, date and amount."""

    key: str
    doubled_line: int | None = None
    same_as_line: int | None = None


class ClaimKeys:
    """Per-file state: numbers reference-less claims and spots doubled references.
    Make one per pass over a file and feed it rows in file order (about 120 bytes a row)."""

    def __init__(self) -> None:
        self._first_line: dict[int, int] = {}
        self._occurrences: dict[int, int] = {}

    def assign(self, base: str, has_ref: bool, amount_minor: int, line: int) -> KeyVerdict:
        """The key of the claim on ``line`` whose base key is ``base``."""
        if has_ref:
            earlier = self._first_line.setdefault(_digest(base), line)
            return KeyVerdict(base, doubled_line=earlier if earlier != line else None)
        digest = _digest(base)
        count = self._occurrences.get(digest, 0) + 1
        self._occurrences[digest] = count
        same = self._first_line.setdefault(_digest(f"{base}|{amount_minor}"), line)
        return KeyVerdict(f"{base}#{count}", same_as_line=same if same != line else None)


class DebtorIdentity(Protocol):
    """What ``same_debtor`` reads: any object with these attributes (e.g. rows.DebtorRow)."""

    name: str
    company_id: str | None
    national_id: str | None
    phones: tuple[str, ...]
    emails: tuple[str, ...]


def same_debtor(first: DebtorIdentity, second: DebtorIdentity) -> bool:
    """Same company or national ID; else a shared phone or email and matching names."""
    if first.company_id and second.company_id:
        return first.company_id == second.company_id
    if first.national_id and second.national_id:
        return first.national_id == second.national_id
    shared = set(first.phones) & set(second.phones) or set(first.emails) & set(second.emails)
    return bool(shared) and names_match(first.name, second.name)
