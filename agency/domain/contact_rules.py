"""Contact rules: when a debtor may be called or messaged, and why not.

Choices (each one pinned by tests/domain/test_contact_rules*.py):
- Calls: 08:00-18:00 local on working days for everyone; the evening (18:00-21:00) only for
  a debtor with an unsuccessful call earlier that local day and no conversation that day,
  or whose requested call-back is running.
- A requested call-back runs from the requested instant to the end of that local day, or
  until the next conversation. It waives the quiet period after a conversation and opens
  the evening; the window, rest days, holidays, inconvenient times and the attempt cap
  still apply.
- Caps count local calendar days: at most `max_attempts` attempts (reached or not) in any
  `attempt_period_days` consecutive days, and no call for `quiet_days` days after a
  conversation, the conversation day being day 1 (Reg F 1006.14(b)(2)).
- Messages (SMS, email): 08:00-21:00 local on working days; rest days and holidays count
  unless the policy says `messages_on_days_off`.
- Policies (windows, rest days, caps; agency.domain.contact_policy) can only be stricter than
  08:00-21:00 and 7 attempts / 7 days / 7 quiet days; they are re-exported here.
- A country the `holidays` package does not know has no public holidays here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from babel.dates import format_datetime

from agency.domain.contact_policy import (  # noqa: F401 - re-exported: callers import the rules from here
    DEFAULT_POLICY, EARLIEST, LATEST, MAX_ATTEMPTS, MIN_PERIOD_DAYS, MIN_QUIET_DAYS, ContactPolicy,
    ContactPolicyError, TimeRange, policy_for,
)
from agency.domain.labels import NEXT_SLOT, NO_SLOT, QUEUE_REASON
from agency.domain.timezones import UTC, as_utc

ONE_DAY = timedelta(days=1)
MIDNIGHT = time(0)
_HORIZON = timedelta(days=400)
_MAX_STEPS = 200


class Reason(StrEnum):
    """Stable codes of a verdict, in the order a blocked verdict reports them."""
    ALLOWED = "allowed"
    OPTED_OUT = "opted_out"
    QUIET_AFTER_CONVERSATION = "quiet_after_conversation"
    ATTEMPT_CAP = "attempt_cap"
    HOLIDAY = "holiday"
    REST_DAY = "rest_day"
    OUTSIDE_WINDOW = "outside_window"
    EXTENDED_WINDOW_NOT_ELIGIBLE = "extended_window_not_eligible"
    INCONVENIENT_TIME = "inconvenient_time"


@dataclass(frozen=True, slots=True)
class CallAttempt:
    """A call placed to the debtor; `reached` when a conversation took place."""
    at: datetime
    reached: bool = False


@dataclass(frozen=True, slots=True)
class ContactHistory:
    """What the rules need to know about one debtor (the person, all their debts)."""
    attempts: tuple[CallAttempt, ...] = ()
    callbacks: tuple[datetime, ...] = ()  # instants the debtor asked to be called at
    opted_out: bool = False  # the debtor refused calls on this number
    inconvenient: tuple[TimeRange, ...] = ()  # local times the debtor marked inconvenient

    @property
    def empty(self) -> bool:
        return not (self.attempts or self.callbacks or self.opted_out or self.inconvenient)


NO_HISTORY = ContactHistory()


@dataclass(frozen=True, slots=True)
class Verdict:
    """May we contact now; if not, the main reason, every reason, and the next allowed instant."""
    allowed: bool
    reason: Reason
    next_allowed_at: datetime | None  # UTC; None when no moment will ever be allowed
    zone: str
    reasons: tuple[Reason, ...] = ()

    @property
    def explanation(self) -> str:
        """In French: why, and from when on (pages show it in the reader's language from
        ``reason`` and ``next_allowed_at``, with the same sentences)."""
        text = QUEUE_REASON[self.reason.value]
        if self.allowed:
            return text
        if self.next_allowed_at is None:
            return f"{text} {NO_SLOT}"
        when = format_datetime(self.next_allowed_at, "EEEE d MMMM y 'à' HH:mm",
                               tzinfo=zone_info(self.zone), locale="fr_FR")
        return f"{text} {NEXT_SLOT % {'when': when}}"


@lru_cache(maxsize=None)
def zone_info(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1024)
def _holiday_dates(country: str | None, year: int) -> frozenset[date]:
    if not country:
        return frozenset()
    try:
        return frozenset(holidays.country_holidays(country.strip().upper(), years=year))
    except NotImplementedError:  # a country the package does not cover
        return frozenset()


def is_holiday(day: date, country: str | None) -> bool:
    """A public holiday of the country (observed days included)."""
    return day in _holiday_dates(country, day.year)


def is_working_day(day: date, country: str | None, policy: ContactPolicy = DEFAULT_POLICY) -> bool:
    return day.weekday() not in policy.rest_days and not is_holiday(day, country)


def local_instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The first UTC instant whose local reading is `day` at `wall` or later (DST-safe)."""
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz).astimezone(UTC)  # fold=0: the earlier of a repeated hour
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    # `wall` falls in a gap (clocks jump forward): the answer is the jump, a whole second
    other = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    low, high = int(min(other, first).timestamp()), int(max(other, first).timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


Failure = tuple[Reason, datetime | None]  # a blocked rule and when it lifts at the earliest


def _days_off(day: date, tz: ZoneInfo, country: str | None, policy: ContactPolicy) -> list[Failure]:
    hits = [reason for reason, hit in ((Reason.HOLIDAY, is_holiday(day, country)),
                                       (Reason.REST_DAY, day.weekday() in policy.rest_days)) if hit]
    if not hits:
        return []
    tomorrow = local_instant(day + ONE_DAY, MIDNIGHT, tz)
    return [(reason, tomorrow) for reason in hits]


def _inconvenient(day: date, wall: time, ranges: tuple[TimeRange, ...], tz: ZoneInfo) -> list[Failure]:
    return [(Reason.INCONVENIENT_TIME, local_instant(day, r.end, tz)) for r in ranges if wall in r]


class _CallRules:
    """The call rules for one debtor, for instants from `instant` on, history unchanged."""

    def __init__(self, tz: ZoneInfo, country: str | None, policy: ContactPolicy,
                 history: ContactHistory, instant: datetime) -> None:
        self.tz, self.country, self.policy, self.opted_out = tz, country, policy, history.opted_out
        past = sorted((at, a.reached) for a in history.attempts if (at := as_utc(a.at)) <= instant)
        self.attempts = [(at, at.astimezone(tz).date(), reached) for at, reached in past]
        self.conversation_day = max((day for _, day, reached in self.attempts if reached), default=None)
        self.callbacks = self._callback_spans(history.callbacks)
        self.inconvenient = policy.inconvenient + history.inconvenient

    def _callback_spans(self, callbacks: tuple[datetime, ...]) -> list[tuple[datetime, datetime]]:
        spans = []
        for start in map(as_utc, callbacks):
            end = local_instant(start.astimezone(self.tz).date() + ONE_DAY, MIDNIGHT, self.tz)
            end = min([end] + [at for at, _, reached in self.attempts if reached and at >= start])
            if start < end:
                spans.append((start, end))
        return sorted(spans)

    def _callback_running(self, t: datetime) -> bool:
        return any(start <= t < end for start, end in self.callbacks)

    def _next_callback(self, t: datetime, default: datetime) -> datetime:
        return min([default] + [start for start, _ in self.callbacks if start > t])

    def failures(self, t: datetime) -> list[Failure]:
        local = t.astimezone(self.tz)
        day, wall = local.date(), local.time()
        found: list[Failure] = [(Reason.OPTED_OUT, None)] if self.opted_out else []
        found += self._quiet(t, day) + self._cap(day) + _days_off(day, self.tz, self.country, self.policy)
        found += self._window(t, day, wall) + _inconvenient(day, wall, self.inconvenient, self.tz)
        return found

    def _quiet(self, t: datetime, day: date) -> list[Failure]:
        if self.conversation_day is None:
            return []
        first_free_day = self.conversation_day + timedelta(days=self.policy.quiet_days)
        if day >= first_free_day or self._callback_running(t):
            return []
        lift = local_instant(first_free_day, MIDNIGHT, self.tz)
        return [(Reason.QUIET_AFTER_CONVERSATION, self._next_callback(t, lift))]

    def _cap(self, day: date) -> list[Failure]:
        first = day - timedelta(days=self.policy.attempt_period_days - 1)
        recent = sorted(d for _, d, _ in self.attempts if first <= d <= day)
        excess = len(recent) - self.policy.max_attempts
        if excess < 0:
            return []
        # free again once the oldest attempts that fill the cap leave the rolling period
        free_day = recent[excess] + timedelta(days=self.policy.attempt_period_days)
        return [(Reason.ATTEMPT_CAP, local_instant(free_day, MIDNIGHT, self.tz))]

    def _window(self, t: datetime, day: date, wall: time) -> list[Failure]:
        policy = self.policy
        if wall < policy.call_open:
            return [(Reason.OUTSIDE_WINDOW, local_instant(day, policy.call_open, self.tz))]
        if wall < policy.classic_close:
            return []
        tomorrow = local_instant(day + ONE_DAY, policy.call_open, self.tz)
        if wall >= policy.extended_close:
            return [(Reason.OUTSIDE_WINDOW, tomorrow)]
        if self._evening_open(t, day):
            return []
        return [(Reason.EXTENDED_WINDOW_NOT_ELIGIBLE, self._next_callback(t, tomorrow))]

    def _evening_open(self, t: datetime, day: date) -> bool:
        today = [reached for _, d, reached in self.attempts if d == day]
        return self._callback_running(t) or (bool(today) and not any(today))


def _next_allowed(failures: Callable[[datetime], list[Failure]], start: datetime,
                  found: list[Failure]) -> datetime | None:
    """Jump to the latest lift of the failing rules until none fails (each lift is a lower bound)."""
    t = start
    for _ in range(_MAX_STEPS):
        lifts = [lift for _, lift in found]
        if any(lift is None for lift in lifts):
            return None
        later = max(lifts)  # type: ignore[type-var]
        t = later if later > t else t + timedelta(seconds=1)  # a clock stepping back must not stall
        if t - start > _HORIZON:
            return None
        found = failures(t)
        if not found:
            return t
    return None


def _verdict(failures: Callable[[datetime], list[Failure]], instant: datetime, zone: str) -> Verdict:
    found = failures(instant)
    if not found:
        return Verdict(True, Reason.ALLOWED, instant, zone)
    reasons = tuple(dict.fromkeys(reason for reason, _ in found))
    return Verdict(False, reasons[0], _next_allowed(failures, instant, found), zone, reasons)


def call_verdict(instant: datetime, zone: str, country: str | None,
                 policy: ContactPolicy = DEFAULT_POLICY, history: ContactHistory = NO_HISTORY) -> Verdict:
    """May the debtor be called at `instant`? Attempts after `instant` are ignored (replay)."""
    instant = as_utc(instant)
    rules = _CallRules(zone_info(zone), country, policy, history, instant)
    return _verdict(rules.failures, instant, zone)


def message_verdict(instant: datetime, zone: str, country: str | None,
                    policy: ContactPolicy = DEFAULT_POLICY, *, opted_out: bool = False,
                    inconvenient: tuple[TimeRange, ...] = ()) -> Verdict:
    """May an SMS or email go to this address/number at `instant`?"""
    tz, ranges = zone_info(zone), policy.inconvenient + inconvenient

    def failures(t: datetime) -> list[Failure]:
        local = t.astimezone(tz)
        day, wall = local.date(), local.time()
        found: list[Failure] = [(Reason.OPTED_OUT, None)] if opted_out else []
        if not policy.messages_on_days_off:
            found += _days_off(day, tz, country, policy)
        if wall < policy.message_open:
            found.append((Reason.OUTSIDE_WINDOW, local_instant(day, policy.message_open, tz)))
        elif wall >= policy.message_close:
            found.append((Reason.OUTSIDE_WINDOW, local_instant(day + ONE_DAY, policy.message_open, tz)))
        return found + _inconvenient(day, wall, ranges, tz)

    return _verdict(failures, as_utc(instant), zone)


class CallGate:
    """Many "may we call now?" at one instant: each (zone, country, policy) calendar is worked
    out once, so the queue page stays light for thousands of candidates."""

    def __init__(self, instant: datetime) -> None:
        self.instant = as_utc(instant)
        # value: (policy kept alive so its id stays unique, True open / False evening only / None closed)
        self._calendars: dict[tuple[str, str | None, int], tuple[ContactPolicy, bool | None]] = {}

    def allows(self, zone: str, country: str | None, policy: ContactPolicy,
               history: ContactHistory | None = None) -> bool:
        key = (zone, country, id(policy))
        entry = self._calendars.get(key)
        if entry is None:
            found = _CallRules(zone_info(zone), country, policy, NO_HISTORY, self.instant).failures(self.instant)
            reasons = {reason for reason, _ in found}
            state = True if not found else False if reasons == {Reason.EXTENDED_WINDOW_NOT_ELIGIBLE} else None
            entry = self._calendars[key] = (policy, state)
        if entry[1] is None:
            return False
        if history is None or history.empty:
            return entry[1]
        return not _CallRules(zone_info(zone), country, policy, history, self.instant).failures(self.instant)
