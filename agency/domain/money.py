"""Money: an integer of minor units with its ISO 4217 currency. Never a float."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, get_currency_symbol, list_currencies

# Currencies the agency works in; any ISO code babel knows is accepted.
DEFAULT_LOCALE = "fr_FR"


class MoneyError(ValueError):
    """An amount or currency that cannot be read or combined."""


class CurrencyMismatch(MoneyError):
    """An amount written in another currency than the one expected."""

    def __init__(self, found: str, expected: str) -> None:
        super().__init__(f"amount in {found}, expected {expected}")
        self.found, self.expected = found, expected


@lru_cache(maxsize=None)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    """Return the upper-cased ISO code, or raise MoneyError if unknown."""
    normalised = (code or "").strip().upper()
    if normalised not in _known_currencies():
        raise MoneyError(f"unknown currency: {code!r}")
    return normalised


@lru_cache(maxsize=None)
def currency_exponent(code: str) -> int:
    """Number of decimals of the currency's minor unit (XOF 0, MAD 2, EUR 2)."""
    return get_currency_precision(check_currency(code))


@dataclass(frozen=True, slots=True, order=False)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise MoneyError(f"minor units must be an int, got {type(self.minor).__name__}")
        object.__setattr__(self, "currency", check_currency(self.currency))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: Decimal | str, currency: str) -> Money:
        """Build from a major-unit decimal; refuses more decimals than the currency has."""
        exponent = currency_exponent(currency)
        try:
            amount = Decimal(value)
        except InvalidOperation as exc:
            raise MoneyError(f"not a number: {value!r}") from exc
        if not amount.is_finite():
            raise MoneyError(f"not a finite amount: {value!r}")
        scaled = amount.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{value} has more than {exponent} decimals for {currency}")
        return cls(int(scaled), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-currency_exponent(self.currency))

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor

    def __bool__(self) -> bool:
        return self.minor != 0

    def format(self, locale: str = DEFAULT_LOCALE) -> str:
        return format_money(self, locale)

    def __str__(self) -> str:
        return self.format()


def sum_money(amounts, currency: str) -> Money:
    """Sum Money values of one currency; an empty sum is zero in that currency."""
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total


def format_money(money: Money, locale: str = DEFAULT_LOCALE) -> str:
    """Format by locale: '51 896 617 F CFA', '30 000,00 MAD' (babel's spaces); in English
    'F CFA 250,000', 'MAD 30,000.00', '€250,000.00'."""
    parsed = _locale(locale)
    text = format_currency(money.to_decimal(), money.currency, locale=parsed)
    return _spaced(text, _symbol(money.currency, parsed))


@lru_cache(maxsize=256)
def _symbol(currency: str, locale: Locale) -> str:
    return get_currency_symbol(currency, locale=locale)


def _spaced(text: str, symbol: str) -> str:
    """CLDR's currency spacing, which babel does not apply: a symbol whose edge beside the
    number is not itself a symbol ('F CFA', 'MAD', not '€' nor '$') is kept apart from the
    digits by a no-break space, so English never shows 'F CFA250,000'."""
    start = text.find(symbol)
    if start < 0 or not symbol:
        return text
    end = start + len(symbol)
    if end < len(text) and text[end].isdigit() and _apart(symbol[-1]):
        return f"{text[:end]}\u00a0{text[end:]}"
    if start > 0 and text[start - 1].isdigit() and _apart(symbol[0]):
        return f"{text[:start]}\u00a0{text[start:]}"
    return text


def _apart(edge: str) -> bool:
    """CLDR's currencyMatch [[:^S:]&[:^Z:]]: neither a symbol nor a separator."""
    return unicodedata.category(edge)[0] not in "SZ"


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    """The babel Locale of a code, parsed once (parsing cost more than the formatting)."""
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


# --- parsing what people write ------------------------------------------------

_CURRENCY_WORDS = {
    "FCFA": "XOF", "F CFA": "XOF", "CFA": "XOF", "XOF": "XOF", "F": "XOF",
    "DH": "MAD", "DHS": "MAD", "MAD": "MAD", "DIRHAMS": "MAD", "DIRHAM": "MAD",
    "EUR": "EUR", "€": "EUR", "EUROS": "EUR", "EURO": "EUR",
}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_NUMBER = re.compile(r"^[+-]?[0-9.,]+$")
_MAX_DIGITS = 18  # fits a signed BIGINT with room


def _decimal_mark(number: str, locale_decimal: str) -> str | None:
    """Which of ',' and '.' is the decimal mark in number, or None if it has none."""
    has_comma, has_dot = "," in number, "." in number
    if has_comma and has_dot:
        return "," if number.rfind(",") > number.rfind(".") else "."
    mark = "," if has_comma else "." if has_dot else None
    if mark is None:
        return None
    parts = number.split(mark)
    # '1.234.567' or '1,234' with three-digit groups is a thousands separator,
    # unless the creditor's locale writes decimals with that mark and it appears once.
    grouped = len(parts) > 2 or (len(parts[-1]) == 3 and mark != locale_decimal)
    if grouped and all(len(p) == 3 for p in parts[1:]) and 1 <= len(parts[0]) <= 3:
        return None
    if len(parts) > 2:
        raise MoneyError(f"unreadable amount: {number!r}")
    return mark


# Longest first, so 'F CFA' wins over 'F' (sorted once, not on every amount).
_CURRENCY_WORDS_LONGEST_FIRST = tuple(sorted(_CURRENCY_WORDS.items(), key=lambda kv: -len(kv[0])))


@lru_cache(maxsize=256)
def _locale_decimal(locale: str) -> str:
    """The locale's decimal mark (',' when babel does not know the locale); cached."""
    try:
        return Locale.parse(locale).number_symbols["latn"]["decimal"]
    except (UnknownLocaleError, ValueError, KeyError):
        return ","


def parse_amount(text: str, currency: str, locale: str = DEFAULT_LOCALE) -> Money:
    """Read an amount as people write it: '51 896 617', '1.234,56', '1,234.56', '500 FCFA'.

    A currency written in the text must match ``currency``. Raises MoneyError.
    """
    currency = check_currency(currency)
    raw = (text or "").strip()
    if not raw:
        raise MoneyError("empty amount")
    upper = _SPACES.sub(" ", raw.upper()).strip()
    for word, code in _CURRENCY_WORDS_LONGEST_FIRST:
        if upper.endswith(word) or upper.startswith(word):
            if code != currency:
                raise CurrencyMismatch(code, currency)
            upper = (upper[len(word):] if upper.startswith(word) else upper[: -len(word)]).strip()
            break
    number = _SPACES.sub("", upper).replace("'", "")
    if not _NUMBER.match(number) or not any(ch.isdigit() for ch in number):
        raise MoneyError(f"unreadable amount: {text!r}")
    mark = _decimal_mark(number, _locale_decimal(locale))
    if mark is None:
        digits = number.replace(",", "").replace(".", "")
    else:
        thousands = "." if mark == "," else ","
        digits = number.replace(thousands, "").replace(mark, ".")
    if len(digits.replace(".", "").lstrip("+-")) > _MAX_DIGITS:
        raise MoneyError(f"amount too large: {text!r}")
    return Money.from_decimal(digits, currency)
