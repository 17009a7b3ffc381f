"""Phone numbers to E.164, with the creditor's country as the default region.

``phonenumbers.parse`` + ``is_valid_number`` cost about 100 µs a number, too slow for a
100,000-row import. ``read_phone`` first tries a fast path on the same metadata for the
plain shapes ('77 123 45 67', '+221 77...', '00221 77...', '06 12 34 56 78' in France),
and returns exactly what phonenumbers would; any other shape, or any doubt (a national
prefix that may or may not be one, a country code shared by several regions), goes to
phonenumbers itself. ``tests/domain/test_intake_phones.py`` checks the two agree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata

_E164 = phonenumbers.PhoneNumberFormat.E164
_FORMATTING = re.compile(r"[\s.\-()/\u00a0]+")
_PLAIN = re.compile(r"\+?[0-9]{3,20}")
_ONE_NUMBER = re.compile(r"\+?[0-9 .()\-]*")
_SPLIT = re.compile(r"[/;,|\n]|\s(?:ou|et|or|and)\s", re.IGNORECASE)
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
          "voicemail", "fixed_line", "mobile")
_UNSURE = object()  # the fast path cannot tell: ask phonenumbers


def split_phones(text: str) -> list[str]:
    """The numbers written in one cell ('77 123 45 67 / 76 000 00 00' -> two)."""
    if _ONE_NUMBER.fullmatch(text):
        return [text] if text else []
    return [stripped for part in _SPLIT.split(text) if (stripped := part.strip())]


@dataclass(frozen=True, slots=True)
class _Plan:
    """A region's numbering plan, compiled once."""

    region: str
    country_code: str
    idd: str | None              # international dialling prefix when plain digits ('00')
    national_prefix: str | None  # prefix stripped for parsing when plain digits ('0')
    prefix_unsure: bool          # a prefix rule the fast path does not model
    general: tuple[frozenset[int], re.Pattern] | None
    valid_by_length: dict[int, re.Pattern]  # one regex per length: general and some type

    def valid(self, nsn: str) -> bool:
        """phonenumbers' validity: the general description and some number type match."""
        pattern = self.valid_by_length.get(len(nsn))
        return pattern is not None and pattern.fullmatch(nsn) is not None


def _matches(desc: tuple[frozenset[int], re.Pattern] | None, nsn: str) -> bool:
    if desc is None:
        return False
    lengths, pattern = desc
    return (not lengths or len(nsn) in lengths) and pattern.fullmatch(nsn) is not None


def _desc(desc: object) -> tuple[frozenset[int], str] | None:
    pattern = getattr(desc, "national_number_pattern", None)
    if not pattern:
        return None
    return frozenset(desc.possible_length or ()), pattern


def _valid_by_length(general: tuple[frozenset[int], str] | None,
                     types: list[tuple[frozenset[int], str]]) -> dict[int, re.Pattern]:
    """For each possible length, one regex: the general pattern (as a look-ahead) and the
    alternation of the types allowing that length (one regex call instead of eleven)."""
    if general is None:
        return {}
    lengths = general[0] or frozenset(range(2, 18))
    table = {}
    for length in lengths:
        allowed = [pattern for sizes, pattern in types if not sizes or length in sizes]
        if allowed:
            alternatives = "|".join(f"(?:{pattern})" for pattern in allowed)
            table[length] = re.compile(f"(?=(?:{general[1]})\\Z)(?:{alternatives})")
    return table


@lru_cache(maxsize=512)
def _plan(region: str) -> _Plan | None:
    meta = PhoneMetadata.metadata_for_region(region, None)
    if meta is None:
        return None
    idd = meta.international_prefix if (meta.international_prefix or "").isdigit() else None
    parsing = meta.national_prefix_for_parsing
    plain = parsing is None or (parsing.isdigit() and not meta.national_prefix_transform_rule)
    general = _desc(meta.general_desc)
    types = [d for d in (_desc(getattr(meta, name)) for name in _TYPES) if d]
    return _Plan(region, str(meta.country_code), idd, parsing if plain else None, not plain,
                 (general[0], re.compile(general[1])) if general else None,
                 _valid_by_length(general, types))


def _region_of(digits: str) -> tuple[_Plan, str] | None:
    """The plan of the country code the digits start with, and the rest; None if unsure."""
    if digits.startswith("0"):
        return None
    for size in (1, 2, 3):
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:size]))
        if regions is not None:
            if len(regions) != 1 or regions[0] == "001":
                return None
            plan = _plan(regions[0])
            return (plan, digits[size:]) if plan else None
    return None


def _fast(compact: str, home: _Plan) -> object:
    """(e164, region), None for an invalid number, or _UNSURE."""
    if compact.startswith("+"):
        return _international(compact[1:])
    if home.idd and compact.startswith(home.idd) and compact[len(home.idd):][:1] not in ("", "0"):
        return _international(compact[len(home.idd):])
    if compact.startswith(home.country_code) or home.prefix_unsure:
        return _UNSURE
    if len(compact) > 17:
        return _UNSURE
    prefix = home.national_prefix
    if prefix and compact.startswith(prefix):
        stripped = compact[len(prefix):]
        if home.valid(stripped) and not _matches(home.general, compact):
            return f"+{home.country_code}{stripped}", home.region
        return _UNSURE
    return (f"+{home.country_code}{compact}", home.region) if home.valid(compact) else None


def _international(digits: str) -> object:
    found = _region_of(digits)
    if found is None or len(digits) <= 2:
        return _UNSURE
    plan, nsn = found
    if plan.prefix_unsure or (plan.national_prefix and nsn.startswith(plan.national_prefix)):
        return _UNSURE
    if not 2 <= len(nsn) <= 17:
        return _UNSURE
    return (f"+{plan.country_code}{nsn}", plan.region) if plan.valid(nsn) else None


@lru_cache(maxsize=8192)  # a debtor's rows are adjacent; bounded for million-row files
def read_phone(raw: str, region: str) -> tuple[str, str | None] | None:
    """(E.164 form, country of the number) for a valid number written locally or
    internationally ('77 123 45 67', 'SN' -> ('+221771234567', 'SN')), else None."""
    compact = _FORMATTING.sub("", raw)
    home = _plan(region)
    if home is not None and _PLAIN.fullmatch(compact):
        result = _fast(compact, home)
        if result is not _UNSURE:
            return result
    return slow_read_phone(raw, region)


def slow_read_phone(raw: str, region: str) -> tuple[str, str | None] | None:
    """``read_phone`` through phonenumbers alone (the reference the fast path must match)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, _E164), phonenumbers.region_code_for_number(number)
