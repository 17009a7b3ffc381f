"""'My calls now': the debtors an agent may call at an instant, in priority order.

SQL picks only what is due by now: the open call actions assigned to the agent (or to the
absent partner it covers), or unassigned on their cases, on open cases not on hold (two
partial indexes, agency.models.calls). Python then applies the contact rules
(agency.domain.contact_rules, the one place for them) and the queue's order
(agency.domain.call_queue). Last contact is known within the rules' look-back only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select, union_all
from sqlalchemy.orm import Session

from agency.domain.call_queue import CallReason, QueueCandidate, order_queue
from agency.domain.contact_rules import CallGate, call_verdict
from agency.domain.money import Money
from agency.domain.timezones import as_utc, local_time
from agency.models import Action, Case, Claim, Debtor, LedgerEntry, PaymentPromise, User
from agency.models.calls import CALL_KINDS, OPEN_STATUSES
from agency.services.worklist_facts import CallFacts, PolicyBook, call_facts, covered_agents, phone_book

KIND_REASONS = {"call": CallReason.DUE_STEP, "callback": CallReason.PROMISED_CALLBACK,
                "counter_call": CallReason.COUNTER_CALL}


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


_COLUMNS = (Action.id.label("action_id"), Action.kind, Action.due_at, Case.id.label("case_id"),
            Case.reference, Case.external_ref, Case.creditor_id, Case.currency, Case.opened_at,
            Case.debtor_id, Debtor.timezone, Debtor.country, Debtor.name)


def _open_case(today: date):
    return and_(Case.status == "open", or_(Case.hold_until.is_(None), Case.hold_until <= today))


def due_call_rows(session: Session, agent_ids: list[int], now: datetime, today: date) -> list:
    """The open call actions of these agents due by `now`, with their case and debtor."""
    due = and_(Action.status.in_(OPEN_STATUSES), Action.kind.in_(CALL_KINDS), Action.due_at <= now)
    assigned = (select(*_COLUMNS).select_from(Action).join(Case, Action.case_id == Case.id)
                .join(Debtor, Case.debtor_id == Debtor.id)
                .where(Action.assignee_id.in_(agent_ids), due, _open_case(today)))
    unassigned = (select(*_COLUMNS).select_from(Case).join(Action, Action.case_id == Case.id)
                  .join(Debtor, Case.debtor_id == Debtor.id)
                  .where(Case.agent_id.in_(agent_ids), Action.assignee_id.is_(None), due, _open_case(today)))
    return list(session.execute(union_all(assigned, unassigned)))


def _callbacks_asked(rows: list) -> dict[int, list[datetime]]:
    asked: dict[int, list[datetime]] = {}
    for row in rows:
        if row.kind == "callback":
            asked.setdefault(row.debtor_id, []).append(as_utc(row.due_at))
    return asked


def _colleague_reached_today(facts: CallFacts, agent_ids: list[int], zone: str, now: datetime) -> bool:
    today = local_time(now, zone).date()
    return any(agent not in agent_ids and local_time(at, zone).date() == today
               for agent, at in facts.reached_by)


def _case_extras(session: Session, case_ids: list[int]) -> dict[int, tuple[int, date | None, date | None]]:
    """case id -> (balance minor, oldest claim date, earliest open promised date), in one query."""
    if not case_ids:
        return {}
    balance = (select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
               .where(LedgerEntry.case_id == Case.id).scalar_subquery())
    oldest = (select(func.min(func.coalesce(Claim.due_date, Claim.deposit_date, Claim.issue_date)))
              .where(Claim.case_id == Case.id).scalar_subquery())
    promised = (select(func.min(PaymentPromise.promised_date))
                .where(PaymentPromise.case_id == Case.id, PaymentPromise.status == "open").scalar_subquery())
    rows = session.execute(select(Case.id, balance, oldest, promised).where(Case.id.in_(case_ids)))
    return {case_id: (int(total or 0), first, promise) for case_id, total, first, promise in rows}


def build_worklist(session: Session, agent: User, now: datetime) -> list[WorklistEntry]:
    """The debtors `agent` may call at `now`, best first, one entry per debtor."""
    now = as_utc(now)
    today = now.date()
    agent_ids = covered_agents(session, agent, today)
    rows = due_call_rows(session, agent_ids, now, today)
    policies = PolicyBook(session)
    policies.load({row.creditor_id for row in rows})
    for row in rows:
        policies.policy(row.creditor_id, row.country)
    debtor_ids = {row.debtor_id for row in rows}
    phones = phone_book(session, debtor_ids)
    facts = call_facts(session, debtor_ids, now, policies.lookback(), _callbacks_asked(rows), phones.opted_out)
    gate = CallGate(now)
    passing = [row for row in rows if row.debtor_id in phones.working
               and not _colleague_reached_today(facts[row.debtor_id], agent_ids, row.timezone, now)
               and gate.allows(row.timezone, row.country, policies.policy(row.creditor_id, row.country),
                               facts[row.debtor_id].history)]
    extras = _case_extras(session, sorted({row.case_id for row in passing}))
    by_action, candidates = {}, []
    for row in passing:
        balance, oldest, promised = extras[row.case_id]
        age_from = oldest or as_utc(row.opened_at).date()
        candidate = QueueCandidate(
            case_id=row.case_id, debtor_id=row.debtor_id, reason=KIND_REASONS[row.kind], due_at=row.due_at,
            zone=row.timezone, country=row.country, policy=policies.policy(row.creditor_id, row.country),
            balance=Money(balance, row.currency), debt_age_days=(today - age_from).days,
            promised_date=promised, last_contact_at=facts[row.debtor_id].last_contact_at)
        by_action[id(candidate)] = row
        candidates.append(candidate)
    ordered = order_queue(candidates, now, rates=_flat_rates(candidates))
    return [_entry(by_action[id(c)], c, phones.working[c.debtor_id], policies.codes, now) for c in ordered]


def _flat_rates(candidates: list[QueueCandidate]) -> dict[str, int] | None:
    """Several currencies in one queue: compare balances in major units (no FX table yet)."""
    currencies = {c.balance.currency for c in candidates}
    return {code: 1 for code in currencies} if len(currencies) > 1 else None


def _entry(row, candidate: QueueCandidate, phone: tuple[int, str], codes: dict[int, str],
           now: datetime) -> WorklistEntry:
    creditor_code = codes[row.creditor_id]
    return WorklistEntry(
        action_id=row.action_id, case_id=row.case_id, case=row.reference, external_ref=row.external_ref,
        creditor_code=creditor_code, debtor_id=row.debtor_id, debtor=row.name, phone=phone[1],
        phone_id=phone[0], zone=row.timezone, local_time=local_time(now, row.timezone),
        reason=candidate.reason, due_at=candidate.due_at, balance=candidate.balance,
        promised_date=candidate.promised_date)



@dataclass(frozen=True, slots=True)
class QueueStatus:
    """For the case page: is the debtor in a queue now, and if not, why and until when."""
    in_queue: bool
    reasons: tuple[str, ...]  # French, for the page
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
    policies = PolicyBook(session)
    policy = policies.policy(case.creditor_id, case.debtor.country)
    phones = phone_book(session, [case.debtor_id])
    if case.debtor_id not in phones.working and case.debtor_id not in phones.opted_out:
        return QueueStatus(False, ("Aucun numéro de téléphone valide : une enquête est nécessaire.",),
                           None, action, agent_id, zone)
    asked = {case.debtor_id: [action.due_at]} if action.kind == "callback" else {}
    facts = call_facts(session, [case.debtor_id], now, policies.lookback(), asked, phones.opted_out)[case.debtor_id]
    agents = covered_agents(session, session.get(User, agent_id), now.date()) if agent_id else []
    if _colleague_reached_today(facts, agents, zone, now):
        return QueueStatus(False, ("Débiteur déjà joint aujourd'hui par un collègue.",), None, action, agent_id, zone)
    verdict = call_verdict(now, zone, case.debtor.country, policy, facts.history)
    return QueueStatus(verdict.allowed, (verdict.explanation,), verdict.next_allowed_at, action, agent_id, zone)


def _case_blocks(case: Case, action: Action | None, agent_id: int | None, now: datetime) -> tuple[str, ...]:
    if case.status != "open":
        return ("Dossier clos ou soldé.",)
    if case.hold_until and case.hold_until > now.date():
        return (f"Dossier suspendu jusqu'au {case.hold_until:%d/%m/%Y}.",)
    if action is None:
        return ("Aucun appel prévu sur ce dossier.",)
    if agent_id is None:
        return ("Aucun gestionnaire affecté au dossier.",)
    if as_utc(action.due_at) > now:
        when = local_time(action.due_at, case.debtor.timezone)
        return (f"Prochain appel prévu le {when:%d/%m/%Y à %H:%M} (heure locale du débiteur).",)
    return ()
