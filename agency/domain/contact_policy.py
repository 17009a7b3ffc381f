"""Contact policies: the configurable call and message windows, rest days and caps.

A policy can only be stricter than the legal maximum (08:00-21:00, 7 attempts in 7 days, 7
quiet days after a conversation); a wider one is rejected with ContactPolicyError, never
clamped, since a silent clamp would hide a mistake. A country's policy and a creditor's
settings combine with `narrowed_by` / `stricter`, which only ever narrow.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import time

EARLIEST = time(8)
LATEST = time(21)
MAX_ATTEMPTS = 7
MIN_PERIOD_DAYS = 7
MIN_QUIET_DAYS = 7


class ContactPolicyError(ValueError):
    """A contact policy that is malformed, or wider than the law and our policy allow."""


_WEEKDAYS = {name: number for number, names in enumerate((
    ("monday", "lundi"), ("tuesday", "mardi"), ("wednesday", "mercredi"), ("thursday", "jeudi"),
    ("friday", "vendredi"), ("saturday", "samedi"), ("sunday", "dimanche"))) for name in names}
_HHMM = re.compile(r"(\d{1,2}):(\d{2})")


def _parse_time(value: object) -> time:
    if isinstance(value, time):
        return value
    match = _HHMM.fullmatch(str(value).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ContactPolicyError(f"not a time of day (HH:MM): {value!r}")
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A daily range of local wall-clock time, start included, end excluded."""
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo or self.end.tzinfo or not self.start < self.end:
            raise ContactPolicyError(f"not a daily time range: {self.start}-{self.end}")

    def __contains__(self, wall: time) -> bool:
        return self.start <= wall < self.end

    @classmethod
    def parse(cls, value: object) -> TimeRange:
        """From a TimeRange, "12:00-14:00" or a pair ("12:00", "14:00")."""
        if isinstance(value, TimeRange):
            return value
        parts = value.split("-") if isinstance(value, str) else _items(value)
        if len(parts) != 2:
            raise ContactPolicyError(f"not a time range: {value!r}")
        return cls(_parse_time(parts[0]), _parse_time(parts[1]))


def _parse_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise ContactPolicyError(f"not a whole number: {value!r}")
    return int(value)


def _items(values: object) -> tuple[object, ...]:
    if not isinstance(values, (list, tuple, set, frozenset)):
        raise ContactPolicyError(f"expected a list, got {values!r}")
    return tuple(values)


def _parse_weekdays(values: object) -> frozenset[int]:
    days = set()
    for value in _items(values):
        day = _WEEKDAYS.get(value.strip().lower()) if isinstance(value, str) else value
        if not isinstance(day, int) or isinstance(day, bool) or day not in range(7):
            raise ContactPolicyError(f"not a weekday (0=Monday..6=Sunday or a name): {value!r}")
        days.add(day)
    return frozenset(days)


def _parse_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ContactPolicyError(f"not true/false: {value!r}")
    return value


_PARSERS: dict[str, Callable[[object], object]] = {
    "call_open": _parse_time, "classic_close": _parse_time, "extended_close": _parse_time,
    "message_open": _parse_time, "message_close": _parse_time, "rest_days": _parse_weekdays,
    "max_attempts": _parse_int, "attempt_period_days": _parse_int, "quiet_days": _parse_int,
    "inconvenient": lambda values: tuple(TimeRange.parse(v) for v in _items(values)),
    "messages_on_days_off": _parse_bool,
}


@dataclass(frozen=True, slots=True)
class ContactPolicy:
    """When calls and messages may go out; a configuration can only make it stricter."""
    call_open: time = time(8)
    classic_close: time = time(18)
    extended_close: time = time(21)  # equal to classic_close: no evening window
    message_open: time = time(8)
    message_close: time = time(21)
    rest_days: frozenset[int] = frozenset({5, 6})  # date.weekday(): 0 is Monday
    max_attempts: int = MAX_ATTEMPTS
    attempt_period_days: int = MIN_PERIOD_DAYS
    quiet_days: int = MIN_QUIET_DAYS
    inconvenient: tuple[TimeRange, ...] = ()  # the creditor's, every day
    messages_on_days_off: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "rest_days", frozenset(self.rest_days))
        object.__setattr__(self, "inconvenient", tuple(self.inconvenient))
        if not EARLIEST <= self.call_open < self.classic_close <= self.extended_close <= LATEST:
            raise ContactPolicyError("calls must fit 08:00-21:00 with open < classic close <= extended close, "
                                     f"got {self.call_open}/{self.classic_close}/{self.extended_close}")
        if not EARLIEST <= self.message_open < self.message_close <= LATEST:
            raise ContactPolicyError(f"messages must fit 08:00-21:00, got {self.message_open}-{self.message_close}")
        if not self.rest_days <= frozenset(range(7)) or len(self.rest_days) > 6:
            raise ContactPolicyError(f"rest days must be 0-6 weekdays leaving a working day: {self.rest_days}")
        if not 1 <= self.max_attempts <= MAX_ATTEMPTS:
            raise ContactPolicyError(f"max_attempts must be 1 to {MAX_ATTEMPTS}, got {self.max_attempts}")
        if not MIN_PERIOD_DAYS <= self.attempt_period_days <= 366:
            raise ContactPolicyError(f"attempt_period_days must be {MIN_PERIOD_DAYS} to 366")
        if not MIN_QUIET_DAYS <= self.quiet_days <= 366:
            raise ContactPolicyError(f"quiet_days must be {MIN_QUIET_DAYS} to 366, got {self.quiet_days}")
        if not all(isinstance(r, TimeRange) for r in self.inconvenient):
            raise ContactPolicyError("inconvenient must hold TimeRange values")

    @classmethod
    def from_dict(cls, data: Mapping[str, object], base: ContactPolicy | None = None) -> ContactPolicy:
        """Build from plain configuration ("HH:MM" times, weekday names or numbers); settings
        left out come from `base` (the defaults without one)."""
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise ContactPolicyError(f"unknown contact policy settings: {', '.join(unknown)}")
        values = {f.name: getattr(base, f.name) for f in fields(cls)} if base else {}
        values.update({key: _PARSERS[key](value) for key, value in data.items()})
        return cls(**values)  # type: ignore[arg-type]

    def narrowed_by(self, data: Mapping[str, object]) -> ContactPolicy:
        """This (country's) policy with a creditor's settings, which can only make it stricter."""
        return self.stricter(ContactPolicy.from_dict(data, base=self))

    def stricter(self, other: ContactPolicy) -> ContactPolicy:
        """The policy obeying both, e.g. a country's and a creditor's."""
        return ContactPolicy(
            call_open=max(self.call_open, other.call_open),
            classic_close=min(self.classic_close, other.classic_close),
            extended_close=min(self.extended_close, other.extended_close),
            message_open=max(self.message_open, other.message_open),
            message_close=min(self.message_close, other.message_close),
            rest_days=self.rest_days | other.rest_days,
            max_attempts=min(self.max_attempts, other.max_attempts),
            attempt_period_days=max(self.attempt_period_days, other.attempt_period_days),
            quiet_days=max(self.quiet_days, other.quiet_days),
            inconvenient=tuple(dict.fromkeys(self.inconvenient + other.inconvenient)),
            messages_on_days_off=self.messages_on_days_off and other.messages_on_days_off)


DEFAULT_POLICY = ContactPolicy()


def policy_for(settings: Mapping[str, object] | None, country: str | None,
               base: ContactPolicy = DEFAULT_POLICY) -> ContactPolicy:
    """A creditor's policy for a debtor's country: `settings` holds an optional "default"
    mapping and per-country mappings ("SN", "MA", ...), each narrowing the one before."""
    policy = base
    if not settings:
        return policy
    unknown = [key for key in settings if key != "default" and not (len(key) == 2 and key.isalpha())]
    if unknown:
        raise ContactPolicyError(f"contact policy keys are 'default' or country codes: {unknown}")
    for key in ("default", (country or "").upper()):
        data = settings.get(key)
        if data:
            policy = policy.narrowed_by(data)  # type: ignore[arg-type]
    return policy
