"""What the contact rules need from the database: each creditor's policy per country, each
debtor's recent calls and phones. Shared by the queue, the call log and the case panel."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.contact_rules import DEFAULT_POLICY, CallAttempt, ContactHistory, ContactPolicy, policy_for
from agency.models import AgentPair, CallLog, Creditor, DebtorPhone, User

CALLBACK_SPAN = timedelta(days=2)  # a requested call-back runs to the end of its local day at most


class PolicyBook:
    """One ContactPolicy object per (creditor, country), so CallGate's cache hits."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._settings: dict[int, dict] = {}
        self.codes: dict[int, str] = {}
        self._policies: dict[tuple[int, str | None], ContactPolicy] = {}

    def load(self, creditor_ids: Iterable[int]) -> None:
        missing = set(creditor_ids) - set(self._settings)
        if missing:
            rows = self._session.execute(select(Creditor.id, Creditor.code, Creditor.automation)
                                         .where(Creditor.id.in_(missing)))
            for creditor_id, code, automation in rows:
                self._settings[creditor_id] = dict(automation or {})
                self.codes[creditor_id] = code

    def settings(self, creditor_id: int) -> dict:
        self.load([creditor_id])
        return self._settings[creditor_id]

    def policy(self, creditor_id: int, country: str | None) -> ContactPolicy:
        key = (creditor_id, country)
        found = self._policies.get(key)
        if found is None:
            found = self._policies[key] = policy_for(self.settings(creditor_id).get("contact_policy"),
                                                     country)
        return found

    def lookback(self) -> timedelta:
        """How far back calls still count under every policy met so far (a day of slack for zones)."""
        days = max([p.attempt_period_days for p in self._policies.values()]
                   + [p.quiet_days for p in self._policies.values()] + [7])
        return timedelta(days=days + 1)

    def spacing_minutes(self, creditor_id: int) -> int:
        """Minutes between a failed call and the pair's counter-call (creditor setting, default 120)."""
        value = self.settings(creditor_id).get("counter_call_spacing_minutes", 120)
        return max(1, int(value))


def queue_lookback(session: Session) -> timedelta:
    """How far back calls count under any creditor's policy for any country (a day of slack for
    zones): the queue's look-back, fixed before its rows are read."""
    days = [DEFAULT_POLICY.attempt_period_days, DEFAULT_POLICY.quiet_days, 7]
    for (automation,) in session.execute(select(Creditor.automation)):
        settings = (automation or {}).get("contact_policy")
        for key in settings or ():
            policy = policy_for(settings, None if key == "default" else key)
            days += [policy.attempt_period_days, policy.quiet_days]
    return timedelta(days=max(days) + 1)


@dataclass(frozen=True, slots=True)
class CallFacts:
    """A debtor's calls within the look-back: the history for the rules, and who reached it."""
    history: ContactHistory
    reached_by: frozenset[tuple[int | None, datetime]]  # (agent id, instant) of conversations
    last_contact_at: datetime | None


def call_facts(session: Session, debtor_ids: Iterable[int], now: datetime, lookback: timedelta,
               extra_callbacks: dict[int, list[datetime]] | None = None,
               opted_out: set[int] | frozenset[int] = frozenset()) -> dict[int, CallFacts]:
    """debtor id -> its facts, in one query over the call log."""
    ids = sorted(set(debtor_ids))
    rows: dict[int, list] = defaultdict(list)
    if ids:
        query = (select(CallLog.debtor_id, CallLog.at, CallLog.reached, CallLog.agent_id, CallLog.callback_at)
                 .where(CallLog.debtor_id.in_(ids), CallLog.at >= now - lookback, CallLog.at <= now))
        for row in session.execute(query):
            rows[row.debtor_id].append(row)
    callbacks = extra_callbacks or {}
    facts = {}
    for debtor_id in ids:
        found = rows.get(debtor_id, [])
        asked = [r.callback_at for r in found if r.callback_at is not None] + callbacks.get(debtor_id, [])
        history = ContactHistory(
            attempts=tuple(CallAttempt(r.at, bool(r.reached)) for r in found),
            callbacks=tuple(sorted(set(asked))), opted_out=debtor_id in opted_out)
        facts[debtor_id] = CallFacts(history, frozenset((r.agent_id, r.at) for r in found if r.reached),
                                     max((r.at for r in found), default=None))
    return facts


@dataclass(frozen=True, slots=True)
class PhoneBook:
    """Per debtor: the first working number, and whether every number refused calls."""
    working: dict[int, tuple[int, str]]
    opted_out: frozenset[int]
    without_number: frozenset[int]


def phone_book(session: Session, debtor_ids: Iterable[int]) -> PhoneBook:
    ids = sorted(set(debtor_ids))
    statuses: dict[int, list[str]] = defaultdict(list)
    working: dict[int, tuple[int, str]] = {}
    if ids:
        query = (select(DebtorPhone.debtor_id, DebtorPhone.id, DebtorPhone.e164, DebtorPhone.status)
                 .where(DebtorPhone.debtor_id.in_(ids)).order_by(DebtorPhone.id))
        for debtor_id, phone_id, e164, status in session.execute(query):
            statuses[debtor_id].append(status)
            if status == "valid" and debtor_id not in working:
                working[debtor_id] = (phone_id, e164)
    opted = frozenset(d for d, s in statuses.items() if s and all(x == "opted_out" for x in s))
    return PhoneBook(working, opted, frozenset(d for d in ids if d not in working and d not in opted))


def covered_agents(session: Session, agent: User, today: date) -> list[int]:
    """The agent, plus the other agent of its pair when that one is away today (cover)."""
    ids = [agent.id]
    if agent.pair_id is not None:
        ids += list(session.scalars(select(User.id).join(AgentPair, User.pair_id == AgentPair.id).where(
            User.pair_id == agent.pair_id, User.id != agent.id, User.absent_until.is_not(None),
            User.absent_until >= today)))
    return ids


def pair_partner(session: Session, agent_id: int) -> User | None:
    """The other agent of the pair of `agent_id`, if it has one."""
    agent = session.get(User, agent_id)
    return agent.partner_in_pair() if agent is not None else None
