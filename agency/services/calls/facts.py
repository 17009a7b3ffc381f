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
from agency.domain.contract import ContactVerdict, ContractTerms
from agency.models import AgentPair, CallLog, Creditor, DebtorPhone, User
from agency.services.creditors.contact import ContactBook
from agency.services.creditors.terms import terms_in_force_many

CALLBACK_SPAN = timedelta(days=2)  # a requested call-back runs to the end of its local day at most


class PolicyBook:
    """What each creditor's terms in force at an instant say of contacting its debtors: one
    ContactPolicy object per (creditor, country), so CallGate's cache hits; the counter-call
    spacing; and whether its debtors may be called at all (mandate, channels)."""

    def __init__(self, session: Session, at: datetime) -> None:
        self._session, self._at = session, at
        self._terms: dict[int, ContractTerms] = {}
        self.codes: dict[int, str] = {}
        self._policies: dict[tuple[int, str | None], ContactPolicy] = {}
        self._contact = ContactBook(session, at)

    def load(self, creditor_ids: Iterable[int]) -> None:
        missing = set(creditor_ids) - set(self._terms)
        if missing:
            self._terms.update(terms_in_force_many(self._session, missing, self._at))
            self.codes.update(self._session.execute(
                select(Creditor.id, Creditor.code).where(Creditor.id.in_(missing))).all())
            self._contact.load(missing)

    def terms(self, creditor_id: int) -> ContractTerms:
        self.load([creditor_id])
        return self._terms[creditor_id]

    def policy(self, creditor_id: int, country: str | None) -> ContactPolicy:
        key = (creditor_id, country)
        found = self._policies.get(key)
        if found is None:
            found = self._policies[key] = policy_for(self.terms(creditor_id).contact_hours, country)
        return found

    def call_verdict(self, creditor_id: int) -> ContactVerdict:
        """May the creditor's debtors be called at all (its mandate, its channels)."""
        return self._contact.verdict(creditor_id, "call")

    def lookback(self) -> timedelta:
        """How far back calls still count under every policy met so far (a day of slack for zones)."""
        days = max([p.attempt_period_days for p in self._policies.values()]
                   + [p.quiet_days for p in self._policies.values()] + [7])
        return timedelta(days=days + 1)

    def spacing_minutes(self, creditor_id: int) -> int:
        """Minutes between a failed call and the pair's counter-call (creditor's terms, default 120)."""
        return max(1, self.terms(creditor_id).counter_call_spacing_minutes)


def queue_lookback(session: Session, at: datetime) -> timedelta:
    """How far back calls count under any creditor's policy for any country (a day of slack for
    zones): the queue's look-back, fixed before its rows are read."""
    days = [DEFAULT_POLICY.attempt_period_days, DEFAULT_POLICY.quiet_days, 7]
    ids = session.scalars(select(Creditor.id)).all()
    for terms in terms_in_force_many(session, ids, at).values():
        settings = terms.contact_hours
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
