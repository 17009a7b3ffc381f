"""Cell values: text, amounts, phone numbers, emails and identifiers, read for one creditor."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.core import UnknownLocaleError

from agency.domain.money import Money, MoneyError, check_currency, currency_exponent, parse_amount

# What a reader yields for one cell: text (CSV, and integer or text XLSX cells), an exact
# Decimal (non-integer XLSX numbers), a date (XLSX date cells), or None (empty XLSX cell).
Cell = str | Decimal | date | None

_BLANKS = re.compile(r"\s+")
_AMOUNT_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")  # as money.parse_amount
_DIGITS = re.compile(r"[0-9]+")
_MAX_DIGITS = 18  # as money.parse_amount: fits a BIGINT
_OTHER_CURRENCY = re.compile(r"amount in ([A-Z]{3}), expected")


class ValueProblem(ValueError):
    """A cell value that cannot be used; the message is for the user (French)."""


def cell_text(cell: Cell) -> str:
    """The cell as trimmed text with inner runs of blanks collapsed; '' when empty."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        text = cell.strip()
        return _BLANKS.sub(" ", text) if "  " in text or "\n" in text or "\t" in text else text
    if isinstance(cell, Decimal):
        return format(cell, "f")
    return cell.isoformat()


@lru_cache(maxsize=64)
def locale_decimal_mark(locale: str) -> str:
    """The decimal mark of a locale ('fr_SN' -> ',', 'en_US' -> '.'); ',' if unknown."""
    try:
        return Locale.parse(locale).number_symbols["latn"]["decimal"]
    except (UnknownLocaleError, ValueError, TypeError, KeyError):
        return ","


@lru_cache(maxsize=64)
def locale_is_month_first(locale: str) -> bool:
    """Whether the locale writes dates month first (en_US: 1/31/2024)."""
    try:
        pattern = Locale.parse(locale).date_formats["short"].pattern
    except (UnknownLocaleError, ValueError, TypeError, KeyError):
        return False
    lowered = pattern.lower()
    return -1 < lowered.find("m") < lowered.find("d") < lowered.find("y")


class AmountReader:
    """Reads amounts in one currency and locale; the common shapes skip babel entirely."""

    def __init__(self, currency: str, locale: str) -> None:
        self.currency = check_currency(currency)
        self.locale = locale
        self._scale = 10 ** currency_exponent(self.currency)
        self._mark = locale_decimal_mark(locale)
        self._decimal = re.compile(r"([0-9]+)" + re.escape(self._mark) + r"([0-9]+)")

    def read(self, cell: Cell) -> Money:
        """The amount in ``cell``; raises ValueProblem with a French message."""
        if isinstance(cell, Decimal):
            return self._from_decimal(cell, cell)
        text = cell_text(cell)
        if not text:
            raise ValueProblem("Montant manquant")
        compact = _AMOUNT_SPACES.sub("", text)
        if len(compact) <= _MAX_DIGITS and _DIGITS.fullmatch(compact):
            return Money(int(compact) * self._scale, self.currency)
        match = self._decimal.fullmatch(compact)
        if match and len(match[1]) + len(match[2]) <= _MAX_DIGITS:
            return self._from_decimal(Decimal(f"{match[1]}.{match[2]}"), text)
        try:
            return parse_amount(text, self.currency, self.locale)
        except MoneyError as exc:
            raise ValueProblem(self._explain(str(exc), text)) from None

    def _from_decimal(self, value: Decimal, raw: object) -> Money:
        try:
            return Money.from_decimal(value, self.currency)
        except MoneyError as exc:
            raise ValueProblem(self._explain(str(exc), raw)) from None

    def _explain(self, reason: str, raw: object) -> str:
        """French message for a MoneyError from money.py (matched on its English wording)."""
        if "decimals" in reason:
            places = currency_exponent(self.currency)
            return f"Montant « {raw} » : {places} décimale(s) au plus en {self.currency}"
        written = _OTHER_CURRENCY.search(reason)
        if written:
            return f"Montant en {written[1]}, la devise du créancier est {self.currency}"
        if "too large" in reason:
            return f"Montant trop grand : « {raw} »"
        return f"Montant illisible : « {raw} »"


_EMAIL = re.compile(
    r"[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,63}"
)
_EMAIL_SPLIT = re.compile(r"[\s;,/|]+")


def split_emails(text: str) -> tuple[list[str], list[str]]:
    """(valid lower-cased addresses, rejected parts) written in one cell."""
    valid: list[str] = []
    rejected: list[str] = []
    for part in _EMAIL_SPLIT.split(text.lower()):
        part = part.removeprefix("mailto:").strip("<>()[]\"'")
        if not part:
            continue
        (valid if _EMAIL.fullmatch(part) else rejected).append(part)
    return valid, rejected


_ID_JUNK = re.compile(r"[^0-9A-Z]+")


def compact_id(text: str) -> str:
    """An identifier reduced to upper-case letters and digits ('0012 345 2G3' -> '00123452G3')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _ID_JUNK.sub("", ascii_text.upper())
