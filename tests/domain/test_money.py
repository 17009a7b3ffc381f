from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency.domain.money import Money, MoneyError, currency_exponent, format_money, parse_amount

CURRENCIES = ("XOF", "MAD", "EUR")
NBSP = ("\u00a0", "\u202f")


def plain(text: str) -> str:
    for space in NBSP:
        text = text.replace(space, " ")
    return text


def test_exponents():
    assert (currency_exponent("XOF"), currency_exponent("MAD"), currency_exponent("EUR")) == (0, 2, 2)


def test_formats_like_the_agency_writes():
    assert plain(format_money(Money(51_896_617, "XOF"), "fr_SN")) == "51 896 617 F CFA"
    assert plain(format_money(Money(3_000_000, "MAD"), "fr_MA")) == "30 000,00 MAD"
    assert plain(format_money(Money(123_456, "EUR"), "fr_FR")) == "1 234,56 €"
    assert format_money(Money(123_456, "EUR"), "en") == "€1,234.56"


def test_english_keeps_a_lettered_symbol_apart_from_the_number():
    """Babel writes 'F CFA250,000' in English (it does not apply CLDR's currency spacing)."""
    assert plain(format_money(Money(250_000, "XOF"), "en")) == "F CFA 250,000"
    assert plain(format_money(Money(3_000_000, "MAD"), "en")) == "MAD 30,000.00"
    assert plain(format_money(Money(-250_000, "XOF"), "en")) == "-F CFA 250,000"
    assert plain(format_money(Money(250_000, "XOF"), "fr")) == "250 000 F CFA"


@given(st.integers(-10 ** 15, 10 ** 15), st.sampled_from(CURRENCIES + ("USD", "GBP", "CHF")),
       st.sampled_from(("fr", "en", "fr_SN", "en_US", "en_GB", "fr_MA")))
def test_a_currency_written_in_letters_never_touches_a_digit(minor, currency, locale):
    text = format_money(Money(minor, currency), locale)
    for left, right in zip(text, text[1:]):
        assert not (left.isalpha() and right.isdigit()) and not (left.isdigit() and right.isalpha()), text


@pytest.mark.parametrize("text,currency,locale,minor", [
    ("51 896 617", "XOF", "fr_SN", 51_896_617),
    ("51896617 FCFA", "XOF", "fr_SN", 51_896_617),
    ("51 896 617,50", "MAD", "fr_MA", 5_189_661_750),
    ("1.234,56", "EUR", "fr_FR", 123_456),
    ("1,234.56", "EUR", "en_US", 123_456),
    ("30 000,00 MAD", "MAD", "fr_MA", 3_000_000),
    ("1.234.567", "XOF", "fr_SN", 1_234_567),
    ("12,5", "MAD", "fr_MA", 1_250),
])
def test_parses_amounts_as_people_write_them(text, currency, locale, minor):
    assert parse_amount(text, currency, locale) == Money(minor, currency)


@pytest.mark.parametrize("text,currency", [
    ("", "XOF"), ("abc", "XOF"), ("12,50", "XOF"), ("100 DH", "XOF"), ("1.2.3,4,5", "EUR"),
    ("1" * 30, "EUR"),
])
def test_refuses_what_it_cannot_read(text, currency):
    with pytest.raises(MoneyError):
        parse_amount(text, currency, "fr_FR")


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(MoneyError):
        Money(10.0, "EUR")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(1, "EUR") + Money(1, "MAD")
    with pytest.raises(MoneyError):
        Money(1, "ZZZ")


@given(minor=st.integers(min_value=0, max_value=10**15), currency=st.sampled_from(CURRENCIES),
       locale=st.sampled_from(["fr_SN", "fr_MA", "fr_FR", "en_US", "en_GB"]))
def test_format_then_parse_round_trips(minor, currency, locale):
    money = Money(minor, currency)
    assert parse_amount(format_money(money, locale), currency, locale) == money


@given(minor=st.integers(min_value=-10**15, max_value=10**15), currency=st.sampled_from(CURRENCIES))
def test_decimal_round_trip_is_exact(minor, currency):
    money = Money(minor, currency)
    assert isinstance(money.to_decimal(), Decimal)
    assert Money.from_decimal(money.to_decimal(), currency) == money


@given(a=st.integers(-10**12, 10**12), b=st.integers(-10**12, 10**12),
       currency=st.sampled_from(CURRENCIES))
def test_arithmetic_is_integer_arithmetic(a, b, currency):
    assert (Money(a, currency) + Money(b, currency)).minor == a + b
    assert (Money(a, currency) - Money(b, currency)).minor == a - b
