"""'My calls now': the debtors an agent may call at an instant, in priority order.

The rows come from agency.services.calls.stream in the queue's order, a few at a time; each
batch gets its debtors' phones and recent calls in one query each, then the contact rules
(agency.domain.contact_rules, the one place for them) and the order's last keys
(agency.domain.call_queue.priority_key). The page stops after its first entries; the command
line reads the whole queue. Last contact is known within the rules' look-back only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.call_queue import CallReason, QueueCandidate, priority_key
from agency.domain.contact_rules import CallGate, call_verdict
from agency.domain.money import Money
from agency.domain.timezones import as_utc, local_time
from agency.models import Action, Case, User
from agency.models.calls import CALL_KINDS, OPEN_STATUSES
from agency.services.calls.facts import (
    CallFacts, PolicyBook, call_facts, covered_agents, phone_book, queue_lookback,
)
from agency.services.calls.queue_sql import case_details
from agency.services.calls.stream import KIND_REASONS, QueueRows, balance_scale

FIRST_BATCH = 40  # rows given their facts at once; doubles for each further batch
MAX_BATCH = 500

@dataclass(frozen=True, slots=True)
class WorklistEntry:
    """One debtor to call now, through one of its due call actions."""
    action_id: int
    case_id: int
    case: str
    external_ref: str
    creditor_code: str
    debtor_id: int
    debtor: str
    phone: str
    phone_id: int
    zone: str
    local_time: datetime
    reason: CallReason
    due_at: datetime
    balance: Money
    promised_date: date | None

    def document(self) -> dict:
        return {"action_id": self.action_id, "case": self.case, "external_ref": self.external_ref,
                "creditor": self.creditor_code, "debtor": self.debtor, "debtor_id": self.debtor_id,
                "phone": self.phone, "zone": self.zone, "local_time": self.local_time.isoformat(),
                "reason": self.reason.value, "due_at": self.due_at.isoformat(),
                "balance_minor": self.balance.minor, "currency": self.balance.currency,
                "promised_date": self.promised_date.isoformat() if self.promised_date else None}


def _colleague_reached_today(facts: CallFacts, agent_ids: list[int], zone: str, now: datetime) -> bool:
    today = local_time(now, zone).date()
    return any(agent not in agent_ids and local_time(at, zone).date() == today
               for agent, at in facts.reached_by)


@dataclass(frozen=True, slots=True)
class WorklistPage:
    """The first entries of a queue; `complete` when the queue holds no more."""
    entries: list[WorklistEntry]
    complete: bool


def build_worklist(session: Session, agent: User, now: datetime) -> list[WorklistEntry]:
    """The debtors `agent` may call at `now`, best first, one entry per debtor."""
    return list(_entries(session, agent, as_utc(now), first_cases=None))


def worklist_page(session: Session, agent: User, now: datetime, size: int) -> WorklistPage:
    """The first `size` entries of build_worklist, reading only as much as they need."""
    entries = []
    for entry in _entries(session, agent, as_utc(now), first_cases=8 * size):
        entries.append(entry)
        if len(entries) > size:
            return WorklistPage(entries[:size], complete=False)
    return WorklistPage(entries, complete=True)


class _Batch:
    """The facts of a batch of rows: case details, phones, calls, and the contact rules."""

    def __init__(self, session: Session, rows: list, agent_ids: list[int], now: datetime,
                 queue: QueueRows, policies: PolicyBook, lookback) -> None:
        debtor_ids = {row.debtor_id for row in rows}
        self.details = case_details(session, sorted({row.case_id for row in rows}))
        self.phones = phone_book(session, debtor_ids)
        self.facts = call_facts(session, debtor_ids, now, lookback, queue.callbacks, self.phones.opted_out)
        self.agent_ids, self.now, self.policies = agent_ids, now, policies

    def candidate(self, row, gate: CallGate) -> QueueCandidate | None:
        """The row as a queue candidate, or None when the rules keep it out now."""
        detail, facts = self.details[row.case_id], self.facts[row.debtor_id]
        policy = self.policies.policy(row.creditor_id, detail.country)
        if (not self.policies.call_verdict(row.creditor_id).allowed
                or row.debtor_id not in self.phones.working
                or _colleague_reached_today(facts, self.agent_ids, detail.timezone, self.now)
                or not gate.allows(detail.timezone, detail.country, policy, facts.history)):
            return None
        age_from = detail.oldest or as_utc(detail.opened_at).date()
        return QueueCandidate(
            case_id=row.case_id, debtor_id=row.debtor_id, reason=KIND_REASONS[row.kind], due_at=row.due_at,
            zone=detail.timezone, country=detail.country, policy=policy,
            balance=Money(row.balance_minor, row.currency), debt_age_days=(self.now.date() - age_from).days,
            promised_date=getattr(row, "promised", None), last_contact_at=facts.last_contact_at)


def _batches(queue: QueueRows, first: int):
    """Whole groups of rows, at least `first` rows a batch, then twice as many up to MAX_BATCH
    (the batch's IN lists stay short)."""
    batch, count, size = [], 0, first
    for group in queue.groups():
        batch.append(group)
        count += len(group)
        if count >= size:
            yield batch
            batch, count, size = [], 0, min(size * 2, MAX_BATCH)
    if batch:
        yield batch


def _entries(session: Session, agent: User, now: datetime, first_cases: int | None):
    """The queue's entries in order, computed batch by batch."""
    agent_ids = covered_agents(session, agent, now.date())
    queue = QueueRows(session, agent_ids, now, first_cases)
    policies, gate, seen = PolicyBook(session, now), CallGate(now), set()
    lookback = queue_lookback(session, now)
    for groups in _batches(queue, FIRST_BATCH if first_cases else MAX_BATCH):
        rows = [row for group in groups for row in group if row.debtor_id not in seen]
        policies.load({row.creditor_id for row in rows})
        batch = _Batch(session, rows, agent_ids, now, queue, policies, lookback)
        for group in groups:
            passing = [(c, row) for row in group if row.debtor_id not in seen
                       and (c := batch.candidate(row, gate)) is not None]
            passing.sort(key=lambda pair: priority_key(pair[0], now, balance_scale(pair[0].balance.currency)))
            for candidate, row in passing:
                if candidate.debtor_id not in seen:
                    seen.add(candidate.debtor_id)
                    yield _entry(row, batch.details[row.case_id], candidate, batch.phones.working[row.debtor_id],
                                 policies.codes, now)


def _entry(row, detail, candidate: QueueCandidate, phone: tuple[int, str], codes: dict[int, str],
           now: datetime) -> WorklistEntry:
    return WorklistEntry(
        action_id=row.action_id, case_id=row.case_id, case=detail.reference, external_ref=detail.external_ref,
        creditor_code=codes[row.creditor_id], debtor_id=row.debtor_id, debtor=detail.name, phone=phone[1],
        phone_id=phone[0], zone=detail.timezone, local_time=local_time(now, detail.timezone),
        reason=candidate.reason, due_at=candidate.due_at, balance=candidate.balance,
        promised_date=candidate.promised_date)


@dataclass(frozen=True, slots=True)
class QueueReason:
    """Why a debtor is (not) in the queue: a code of agency.domain.labels.QUEUE_REASON (the
    page says it in the reader's language), with the day or instant it names."""
    code: str
    at: date | datetime | None = None  # the hold's last day, the next call, the next slot
    next_slot: bool = False  # a contact rule's verdict: ``at`` is the next allowed instant


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """For the case page: is the debtor in a queue now, and if not, why and until when."""
    in_queue: bool
    reasons: tuple[QueueReason, ...]
    next_allowed_at: datetime | None
    action: Action | None
    agent_id: int | None
    zone: str


def queue_status(session: Session, case: Case, now: datetime) -> QueueStatus:
    """Re-states the queue's tests for one case, saying which one keeps it out."""
    now, zone = as_utc(now), case.debtor.timezone
    action = session.scalar(select(Action).where(
        Action.case_id == case.id, Action.status.in_(OPEN_STATUSES), Action.kind.in_(CALL_KINDS))
        .order_by(Action.due_at, Action.id).limit(1))
    agent_id = (action.assignee_id if action and action.assignee_id else case.agent_id)
    blocked = _case_blocks(case, action, agent_id, now)
    if blocked:
        return QueueStatus(False, blocked, None, action, agent_id, zone)
    policies = PolicyBook(session, now)
    mandate = policies.call_verdict(case.creditor_id)
    if not mandate.allowed:
        return QueueStatus(False, (mandate.explanation,), None, action, agent_id, zone)
    policy = policies.policy(case.creditor_id, case.debtor.country)
    phones = phone_book(session, [case.debtor_id])
    if case.debtor_id not in phones.working and case.debtor_id not in phones.opted_out:
        return QueueStatus(False, (QueueReason("no_working_phone"),), None, action, agent_id, zone)
    asked = {case.debtor_id: [action.due_at]} if action.kind == "callback" else {}
    facts = call_facts(session, [case.debtor_id], now, policies.lookback(), asked, phones.opted_out)[case.debtor_id]
    agents = covered_agents(session, session.get(User, agent_id), now.date()) if agent_id else []
    if _colleague_reached_today(facts, agents, zone, now):
        return QueueStatus(False, (QueueReason("reached_by_colleague"),), None, action, agent_id, zone)
    verdict = call_verdict(now, zone, case.debtor.country, policy, facts.history)
    why = QueueReason(verdict.reason.value, verdict.next_allowed_at, next_slot=not verdict.allowed)
    return QueueStatus(verdict.allowed, (why,), verdict.next_allowed_at, action, agent_id, zone)


def _case_blocks(case: Case, action: Action | None, agent_id: int | None,
                 now: datetime) -> tuple[QueueReason, ...]:
    if case.status != "open":
        return (QueueReason("case_closed"),)
    if case.hold_until and case.hold_until > now.date():
        return (QueueReason("case_held", case.hold_until),)
    if action is None:
        return (QueueReason("no_call_planned"),)
    if agent_id is None:
        return (QueueReason("no_agent"),)
    if as_utc(action.due_at) > now:
        return (QueueReason("call_later", as_utc(action.due_at)),)
    return ()
