"""The agent's call queue: who to call now, in which order, and when to call back a failed call.

Priority (`priority_key`, smallest first):
1. a call-back the debtor asked for whose time has come, earliest requested first;
   then every other candidate that is due; candidates not yet due come last, by due instant;
2. the playbook's due step (due_step, counter_call) before the rest (promise_check);
3. the promised payment date, earliest first (none last);
4. the balance, largest first (converted to one reference currency when they differ);
5. the age of the debt, oldest first;
6. the last contact, longest ago first (never contacted first);
7. the case id, so that the order is stable.
`order_queue` keeps one entry per debtor, the best one: the queue lists people to call.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from agency.domain.contact_rules import (
    NO_HISTORY, CallAttempt, CallGate, ContactHistory, ContactPolicy, call_verdict,
)
from agency.domain.money import Money, MoneyError, currency_exponent
from agency.domain.timezones import UTC, as_utc

DEFAULT_SPACING_MINUTES = 120
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SCALE = 10**6  # reference currency micro-units, so that converted balances compare as ints


class CallReason(StrEnum):
    DUE_STEP = "due_step"
    PROMISED_CALLBACK = "promised_callback"
    COUNTER_CALL = "counter_call"
    PROMISE_CHECK = "promise_check"


_PLAYBOOK_STEPS = frozenset({CallReason.DUE_STEP, CallReason.COUNTER_CALL})


@dataclass(frozen=True, slots=True)
class QueueCandidate:
    """A call the queue could propose; the service builds it from the pre-filtered rows."""
    case_id: int
    debtor_id: int
    reason: CallReason
    due_at: datetime  # the step's due instant, the requested call-back time, the counter-call slot
    zone: str
    country: str | None
    policy: ContactPolicy  # share one object per creditor/country: CallGate caches by identity
    balance: Money
    debt_age_days: int
    promised_date: date | None = None
    last_contact_at: datetime | None = None
    reached_by_colleague_today: bool = False

    def __post_init__(self) -> None:
        # normalised once here so that filtering and sorting compare plain UTC instants
        object.__setattr__(self, "due_at", as_utc(self.due_at))
        if self.last_contact_at is not None:
            object.__setattr__(self, "last_contact_at", as_utc(self.last_contact_at))


def counter_call_slot(failed_at: datetime, zone: str, country: str | None, policy: ContactPolicy,
                      spacing_minutes: int = DEFAULT_SPACING_MINUTES,
                      history: ContactHistory = NO_HISTORY) -> datetime | None:
    """When the other agent of the pair calls back after a failed call (None: never).

    The failed call opens the evening window that day, so the slot is `spacing_minutes` later
    the same local day if that is callable, else the next callable instant (usually the next
    working day's opening). With the debtor's history the caps are honoured too."""
    if spacing_minutes < 1:
        raise ValueError("spacing_minutes must be at least 1")
    failed_at = as_utc(failed_at)
    if not any(as_utc(a.at) == failed_at for a in history.attempts):
        history = replace(history, attempts=history.attempts + (CallAttempt(failed_at),))
    earliest = failed_at + timedelta(minutes=spacing_minutes)
    return call_verdict(earliest, zone, country, policy, history).next_allowed_at


def filter_callable(candidates: Iterable[QueueCandidate], now: datetime,
                    histories: Mapping[int, ContactHistory] | None = None,
                    allows: Callable[[QueueCandidate, ContactHistory | None], bool] | None = None,
                    ) -> list[QueueCandidate]:
    """The candidates that are due and may be called at `now`, minus debtors a colleague
    already reached today. `histories` maps debtor id to its contact history."""
    now, histories = as_utc(now), histories or {}
    if allows is None:
        gate = CallGate(now)

        def allows(candidate: QueueCandidate, history: ContactHistory | None) -> bool:
            return gate.allows(candidate.zone, candidate.country, candidate.policy, history)

    return [c for c in candidates
            if not c.reached_by_colleague_today and c.due_at <= now
            and allows(c, histories.get(c.debtor_id))]


def _balance_scales(candidates: list[QueueCandidate],
                    rates: Mapping[str, Fraction | Decimal | int] | None) -> dict[str, tuple[int, int]]:
    """Per currency, (numerator, denominator) turning minor units into comparable integers."""
    currencies = {c.balance.currency for c in candidates}
    if len(currencies) <= 1:
        return {code: (1, 1) for code in currencies}
    missing = sorted(currencies - set(rates or {}))
    if missing:
        raise MoneyError(f"balances in several currencies need a rate for: {', '.join(missing)}")
    scales = {}
    for code in currencies:  # reference micro-units per minor unit
        factor = Fraction(rates[code]) * _SCALE / 10 ** currency_exponent(code)  # type: ignore[index]
        scales[code] = (factor.numerator, factor.denominator)
    return scales


def priority_key(candidate: QueueCandidate, now: datetime, scale: tuple[int, int] = (1, 1)) -> tuple:
    """Sort key of a candidate (smallest first); see the module docstring."""
    due_at = candidate.due_at
    if due_at > now:
        tier = 2
    else:
        tier = 0 if candidate.reason is CallReason.PROMISED_CALLBACK else 1
    return (tier, _EPOCH if tier == 1 else due_at,
            0 if candidate.reason in _PLAYBOOK_STEPS else 1,
            candidate.promised_date or date.max, -(candidate.balance.minor * scale[0] // scale[1]),
            -candidate.debt_age_days, candidate.last_contact_at or _EPOCH, candidate.case_id)


def order_queue(candidates: Iterable[QueueCandidate], now: datetime,
                rates: Mapping[str, Fraction | Decimal | int] | None = None) -> list[QueueCandidate]:
    """Candidates by priority, one per debtor. `rates` (value of one major unit in a reference
    currency) is needed only when balances come in several currencies."""
    now, pool = as_utc(now), list(candidates)
    scales = _balance_scales(pool, rates)
    pool.sort(key=lambda c: priority_key(c, now, scales[c.balance.currency]))
    queue: list[QueueCandidate] = []
    seen: set[int] = set()
    for candidate in pool:
        if candidate.debtor_id not in seen:
            seen.add(candidate.debtor_id)
            queue.append(candidate)
    return queue
