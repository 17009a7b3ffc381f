"""What makes a row the same case, the same claim or the same debtor as another one.

Claim key (stable across re-imports, so an updated file updates its claims; the service
scopes it to the creditor). The amount is never part of it: a new amount updates the claim.
- The file has a claim reference column: ``case:<CASE>|ref:<REFERENCE>`` when it also has a
  case column (a lender numbers its bills 1, 2, 3 within each loan), else ``ref:<REFERENCE>``.
  The same key twice in one file is a doubled row and is rejected.
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

from array import array
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


def claim_base_key(claim_ref: str | None, case_ref: str | None, case: str,
                   claim_date: date | None) -> str:
    """The claim key before occurrence numbering (see the module docstring)."""
    if claim_ref:
        reference = f"ref:{claim_ref.upper()}"
        return f"case:{case_ref.upper()}|{reference}" if case_ref else reference
    return f"{case}|{claim_date.isoformat() if claim_date else '-'}"


_MASK_64 = (1 << 64) - 1


def _digest(text: str) -> int:
    # Python's salted 64-bit hash, stable within the one process that reads the file; a
    # collision (odds about 3 in 10^8 for a million-row file) can only raise a false
    # "doubled" rejection or warning, which the user sees. 0 marks empty slots.
    return (hash(text) & _MASK_64) | 1


class _DigestTable:
    """64-bit digests with a 32-bit value each, in two flat arrays: about 20 bytes an entry
    where a dict of ints takes 100, so a million-row file fits the memory budget."""

    __slots__ = ("_keys", "_values", "_count")

    def __init__(self, capacity: int = 1 << 16) -> None:
        self._keys = array("Q", [0]) * capacity
        self._values = array("i", [0]) * capacity
        self._count = 0

    def _slot(self, digest: int) -> int:
        keys, mask = self._keys, len(self._keys) - 1
        index = digest & mask
        while keys[index] and keys[index] != digest:
            index = (index + 1) & mask  # linear probing
        return index

    def setdefault(self, digest: int, value: int) -> int:
        """The value stored for digest, storing ``value`` first if there is none."""
        index = self._slot(digest)
        if self._keys[index]:
            return self._values[index]
        self._keys[index], self._values[index] = digest, value
        self._count += 1
        if self._count * 3 > len(self._keys) * 2:
            self._grow()
        return value

    def increment(self, digest: int) -> int:
        """Add one to the value of digest (0 if absent) and return it."""
        index = self._slot(digest)
        if not self._keys[index]:
            return self.setdefault(digest, 1)
        self._values[index] += 1
        return self._values[index]

    def _grow(self) -> None:
        old = zip(self._keys, self._values)
        self._keys = array("Q", [0]) * (2 * len(self._keys))  # no bytes copy: half the peak
        self._values = array("i", [0]) * (2 * len(self._values))
        for digest, value in old:
            if digest:
                index = self._slot(digest)
                self._keys[index], self._values[index] = digest, value


@dataclass(frozen=True, slots=True)
class KeyVerdict:
    """A claim's key in its file; ``doubled_line`` is the earlier line with the same reference,
    ``same_as_line`` an earlier reference-less line with the same case, date and amount."""

    key: str
    doubled_line: int | None = None
    same_as_line: int | None = None


class ClaimKeys:
    """Per-file state: numbers reference-less claims and spots doubled references.
    Make one per pass over a file and feed it rows in file order (about 30 bytes a row)."""

    def __init__(self) -> None:
        self._first_line = _DigestTable()
        self._occurrences = _DigestTable()
        self._per_case = _DigestTable()

    def count_case(self, case: str) -> int:
        """Count one more claim of ``case``; how many so far, this one included."""
        return self._per_case.increment(_digest(f"case|{case}"))

    def assign(self, base: str, has_ref: bool, amount_minor: int, line: int) -> KeyVerdict:
        """The key of the claim on ``line`` whose base key is ``base``."""
        if has_ref:
            earlier = self._first_line.setdefault(_digest(base), line)
            return KeyVerdict(base, doubled_line=earlier if earlier != line else None)
        count = self._occurrences.increment(_digest(base))
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
