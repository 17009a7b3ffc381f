"""Calendar dates as creditors write them: 31/01/2024, 31-01-24, 31.01.2024, 2024-01-31,
31 janv. 2024, Excel serial numbers (45322) and real date cells."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from agency.domain.intake.vocab import fold

# Excel's day 0 for the 1900 date system (it counts a fictitious 29 Feb 1900, so serials
# from 61 on are right with this base; claims are never dated before March 1900).
EXCEL_EPOCH = date(1899, 12, 30)
# Dates outside this window are typing errors (year 0024, serial 12), not claims.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
_SERIAL_MIN = (date(1950, 1, 1) - EXCEL_EPOCH).days
_SERIAL_MAX = (LATEST - EXCEL_EPOCH).days

_TIME = r"(?:[T ]\d{1,2}[:h]\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_NUMERIC = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_ISO = re.compile(r"(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})" + _TIME)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"(\d{1,6})(?:[.,]\d+)?")
_WORDS = re.compile(r"(\d{1,2})(?:er)? ([a-z]+) (\d{4}|\d{2})")

_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "juin": 6, "jun": 6, "june": 6,
    "juillet": 7, "juil": 7, "jul": 7, "july": 7,
    "aout": 8, "aou": 8, "aug": 8, "august": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}


class DateProblem(ValueError):
    """A date that cannot be read; the message is for the user (French)."""


class DateReader:
    """Reads date cells for one file: day first unless the locale writes month first (en_US)."""

    def __init__(self, today: date, month_first: bool = False) -> None:
        self.today = today
        self.month_first = month_first
        self._seen: dict[str, date | DateProblem] = {}  # a file repeats the same few dates

    def read(self, cell: str | Decimal | date) -> date:
        """The date in ``cell``; raises DateProblem with a French message."""
        if isinstance(cell, datetime):
            return self._plausible(cell.date(), cell)
        if isinstance(cell, date):
            return self._plausible(cell, cell)
        if isinstance(cell, Decimal):
            return self._serial(int(cell) if cell.is_finite() else -1, cell)
        known = self._seen.get(cell)
        if known is None:
            try:
                known = self._text(cell.strip(), cell)
            except DateProblem as problem:
                known = problem
            if len(self._seen) >= 4096:
                self._seen.clear()
            self._seen[cell] = known
        if isinstance(known, DateProblem):
            raise DateProblem(str(known))
        return known

    def _text(self, text: str, raw: object) -> date:
        match = _NUMERIC.fullmatch(text)
        if match:
            first, second = int(match[1]), int(match[3])
            day, month = (second, first) if self.month_first else (first, second)
            return self._build(self._year(match[4]), month, day, raw)
        match = _ISO.fullmatch(text)
        if match:
            return self._build(int(match[1]), int(match[3]), int(match[4]), raw)
        if _COMPACT.fullmatch(text) and text[:2] in ("19", "20", "21"):
            return self._build(int(text[:4]), int(text[4:6]), int(text[6:]), raw)
        if _SERIAL.fullmatch(text):
            return self._serial(int(_SERIAL.fullmatch(text)[1]), raw)
        return self._words(text, raw)

    def _words(self, text: str, raw: object) -> date:
        match = _WORDS.fullmatch(fold(text))
        if match and match[2] in _MONTHS:
            return self._build(self._year(match[3]), _MONTHS[match[2]], int(match[1]), raw)
        raise DateProblem(f"Date illisible : « {raw} » (attendu jj/mm/aaaa)")

    def _year(self, digits: str) -> int:
        """A two-digit year is in this century unless that is more than 20 years ahead."""
        if len(digits) == 4:
            return int(digits)
        year = 2000 + int(digits)
        return year if year <= self.today.year + 20 else year - 100

    def _serial(self, serial: int, raw: object) -> date:
        if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
            raise DateProblem(f"Date illisible : « {raw} » (attendu jj/mm/aaaa)")
        return EXCEL_EPOCH + timedelta(days=serial)

    def _build(self, year: int, month: int, day: int, raw: object) -> date:
        try:
            value = date(year, month, day)
        except ValueError:
            raise DateProblem(f"Date impossible : « {raw} »") from None
        return self._plausible(value, raw)

    def _plausible(self, value: date, raw: object) -> date:
        if not EARLIEST <= value <= LATEST:
            raise DateProblem(f"Date improbable : « {raw} »")
        return value
