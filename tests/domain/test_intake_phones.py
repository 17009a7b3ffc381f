"""Phone numbers to E.164: examples, and the fast path agreeing with phonenumbers."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agency.domain.intake.phones import read_phone, slow_read_phone, split_phones


@pytest.mark.parametrize("raw, region, expected", [
    ("77 123 45 67", "SN", ("+221771234567", "SN")),
    ("771234567", "SN", ("+221771234567", "SN")),
    ("+221 77 123 45 67", "SN", ("+221771234567", "SN")),
    ("00221 77 123 45 67", "SN", ("+221771234567", "SN")),
    ("221771234567", "SN", ("+221771234567", "SN")),
    ("33 820 12 34", "SN", ("+221338201234", "SN")),
    ("06 61 23 45 67", "MA", ("+212661234567", "MA")),
    ("+212 6 61 23 45 67", "SN", ("+212661234567", "MA")),
    ("06 12 34 56 78", "FR", ("+33612345678", "FR")),
    ("+33 (0)6 12 34 56 78", "SN", ("+33612345678", "FR")),
    ("70 12 34 56", "BF", ("+22670123456", "BF")),
    ("+1 202-555-0123", "SN", ("+12025550123", "US")),
])
def test_valid_numbers(raw, region, expected):
    assert read_phone(raw, region) == expected


@pytest.mark.parametrize("raw", ["12", "77 123", "99 123 45 67", "+999 12345678", "abc", "0000000000",
                                 "77 123 45 67 89 01 23"])
def test_invalid_numbers(raw):
    assert read_phone(raw, "SN") is None


def test_cells_with_several_numbers():
    assert split_phones("77 123 45 67 / 76 000 00 00") == ["77 123 45 67", "76 000 00 00"]
    assert split_phones("77 123 45 67 ou 76 000 00 00; +33 6 12 34 56 78") == [
        "77 123 45 67", "76 000 00 00", "+33 6 12 34 56 78"]
    assert split_phones("+221 77-123-45-67") == ["+221 77-123-45-67"]
    assert split_phones("") == []


REGIONS = ["SN", "MA", "FR", "BF", "CI", "ML", "GA", "CM", "GB", "US", "BE", "IT"]
PREFIXES = ["", "+", "00", "0", "+221", "00221", "221", "+212", "+33", "+225", "+1", "+44", "+39",
            "+241", "+7", "+262", "0033", "011"]


@settings(max_examples=1500, deadline=None)
@given(region=st.sampled_from(REGIONS), prefix=st.sampled_from(PREFIXES),
       digits=st.text(alphabet="0123456789", min_size=0, max_size=13),
       separator=st.sampled_from(["", " ", ".", "-"]))
def test_fast_path_agrees_with_phonenumbers(region, prefix, digits, separator):
    raw = prefix + separator.join(digits[i:i + 2] for i in range(0, len(digits), 2))
    assert read_phone.__wrapped__(raw, region) == slow_read_phone(raw, region)


@settings(max_examples=300, deadline=None)
@given(region=st.sampled_from(["SN", "MA", "FR"]),
       number=st.sampled_from(["77", "78", "70", "76", "33", "6", "06", "7", "5", "05", "1"]),
       rest=st.integers(min_value=0, max_value=10**9))
def test_fast_path_agrees_on_likely_numbers(region, number, rest):
    raw = f"{number}{rest:07d}"[:10]
    assert read_phone.__wrapped__(raw, region) == slow_read_phone(raw, region)
