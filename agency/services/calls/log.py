"""Logging a call: the outcome, and what follows from it (counter-call, call-back, promise,
dispute, investigation). Two clicks for the common outcomes: only the outcome is required."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.call_queue import counter_call_slot
from agency.domain.money import Money
from agency.domain.timezones import as_utc
from agency.models import Action, Case, DebtorPhone, Dispute, PaymentPromise, User
from agency.models.calls import CALL_KINDS, CALL_OUTCOMES, OPEN_STATUSES, REACHED_OUTCOMES, CallLog
from agency.services.actions import end_action
from agency.services.audit import current_scope, record
from agency.services.calls.promises import record_promise
from agency.services.calls.facts import PolicyBook, call_facts, covered_agents, pair_partner

ALREADY_PAID_REASON = "Le débiteur déclare avoir déjà payé : paiement à vérifier."


class CallError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class CallInput:
    outcome: str
    note: str | None = None
    promise_date: date | None = None
    promise_amount: Money | None = None
    callback_at: datetime | None = None
    phone_id: int | None = None


@dataclass(slots=True)
class CallResult:
    log: CallLog
    follow_ups: list[Action] = field(default_factory=list)  # counter-call, call-back, investigation
    promise: PaymentPromise | None = None
    dispute: Dispute | None = None


def log_call(session: Session, *, case: Case, agent: User, call: CallInput,
             action: Action | None = None) -> CallResult:
    """Record a call on `case` (through its open call `action`, which is then done)."""
    now = current_scope(session).now
    _check(case, call, action)
    phone = _phone(session, case, call.phone_id)
    log = CallLog(case_id=case.id, debtor_id=case.debtor_id, action_id=action.id if action else None,
                  agent_id=agent.id, phone_id=phone.id if phone else None, at=now, outcome=call.outcome,
                  reached=call.outcome in REACHED_OUTCOMES, note=call.note,
                  callback_at=as_utc(call.callback_at) if call.callback_at else None)
    session.add(log)
    session.flush()
    if action is not None:
        end_action(session, action, status="done", outcome=call.outcome, note=call.note)
    result = CallResult(log)
    _follow_up(session, case, agent, call, action, phone, result)
    record(session, verb=f"call.{call.outcome}", case=case, reason=call.note, changes={
        "call_id": [None, log.id], "action_id": [None, action.id if action else None],
        "follow_ups": [None, ", ".join(f"{a.kind}:{a.id}" for a in result.follow_ups) or None]})
    return result


def _check(case: Case, call: CallInput, action: Action | None) -> None:
    if call.outcome not in CALL_OUTCOMES:
        raise CallError(f"unknown call outcome {call.outcome}")
    if action is not None and (action.case_id != case.id or action.kind not in CALL_KINDS
                               or action.status not in OPEN_STATUSES):
        raise CallError("this action is not an open call of this case")
    if call.outcome == "promise" and (call.promise_date is None or call.promise_amount is None):
        raise CallError("a promise to pay needs a date and an amount")
    if call.outcome == "callback" and call.callback_at is None:
        raise CallError("a call-back needs a date and a time")


def _phone(session: Session, case: Case, phone_id: int | None) -> DebtorPhone | None:
    if phone_id is None:
        return session.scalar(select(DebtorPhone).where(
            DebtorPhone.debtor_id == case.debtor_id, DebtorPhone.status == "valid").order_by(DebtorPhone.id))
    phone = session.get(DebtorPhone, phone_id)
    if phone is None or phone.debtor_id != case.debtor_id:
        raise CallError("this number is not the debtor's")
    return phone


def _follow_up(session: Session, case: Case, agent: User, call: CallInput, action: Action | None,
               phone: DebtorPhone | None, result: CallResult) -> None:
    outcome, now = call.outcome, current_scope(session).now
    if outcome in REACHED_OUTCOMES:
        _cancel_counter_calls(session, case.debtor_id)
    if outcome in ("no_answer", "busy"):
        result.follow_ups += _counter_call(session, case, agent, action, now)
    elif outcome == "wrong_number":
        result.follow_ups += _wrong_number(session, case, phone, now)
    elif outcome == "callback":
        result.follow_ups.append(_new_action(session, case, "callback", as_utc(call.callback_at), agent.id,
                                             action, now))
    elif outcome == "promise":
        result.promise = record_promise(session, case=case, promised_date=call.promise_date,
                                        amount=call.promise_amount, agent_id=agent.id, note=call.note)
        result.log.promise_id = result.promise.id
    elif outcome in ("dispute", "already_paid"):
        reason = ALREADY_PAID_REASON if outcome == "already_paid" else (call.note or "Contestation au téléphone")
        result.dispute = Dispute(case_id=case.id, status="open", reason=reason,
                                 raised_by="debtor" if outcome == "already_paid" else "agent", created_at=now)
        session.add(result.dispute)
    session.flush()


def _new_action(session: Session, case: Case, kind: str, due_at: datetime, assignee_id: int | None,
                origin: Action | None, now: datetime, role: str = "agent") -> Action:
    action = Action(case_id=case.id, kind=kind, due_at=due_at, status="due", assignee_id=assignee_id,
                    assignee_role=role, step_code=origin.step_code if origin else None,
                    playbook_version=origin.playbook_version if origin else None,
                    claim_ids=list(origin.claim_ids or []) if origin else [], created_at=now)
    session.add(action)
    session.flush()
    return action


def _counter_call(session: Session, case: Case, agent: User, action: Action | None, now: datetime) -> list[Action]:
    """The other agent of the pair calls back later today inside the window, else next working day."""
    policies = PolicyBook(session, now)
    debtor = case.debtor
    policy = policies.policy(case.creditor_id, debtor.country)
    history = call_facts(session, [debtor.id], now, policies.lookback())[debtor.id].history
    slot = counter_call_slot(now, debtor.timezone, debtor.country, policy,
                             policies.spacing_minutes(case.creditor_id), history)
    if slot is None:
        return []  # the caps forbid any further call: the playbook's other steps take over
    partner = pair_partner(session, agent.id)
    return [_new_action(session, case, "counter_call", slot, partner.id if partner else agent.id, action, now)]


def _cancel_counter_calls(session: Session, debtor_id: int) -> None:
    """Once the debtor is reached, pending counter-calls about any of its cases are moot."""
    case_ids = select(Case.id).where(Case.debtor_id == debtor_id).scalar_subquery()
    for action in session.scalars(select(Action).where(
            Action.case_id.in_(case_ids), Action.kind == "counter_call",
            Action.status.in_(OPEN_STATUSES))).all():
        end_action(session, action, status="cancelled", outcome="debtor_reached")


def _wrong_number(session: Session, case: Case, phone: DebtorPhone | None, now: datetime) -> list[Action]:
    """Mark the number; with no working number left, open an investigation (once)."""
    if phone is not None:
        phone.status, phone.status_changed_at = "wrong", now
        session.flush()
    working = session.scalar(select(DebtorPhone.id).where(
        DebtorPhone.debtor_id == case.debtor_id, DebtorPhone.status == "valid").limit(1))
    if working is not None:
        return []
    already = session.scalar(select(Action.id).where(
        Action.case_id == case.id, Action.kind == "investigation",
        Action.status.in_(OPEN_STATUSES + ("waiting_approval",))).limit(1))
    if already is not None:
        return []
    return [_new_action(session, case, "investigation", now, None, None, now, role="investigator")]


def may_call(session: Session, user: User, case: Case, action: Action | None = None) -> bool:
    """An agent works its own cases and actions and those of the partner it covers; leads all."""
    if user.role in ("admin", "direction", "team_lead"):
        return True
    if user.role != "agent":
        return False
    agents = covered_agents(session, user, current_scope(session).now.date())
    if action is not None and action.assignee_id is not None:
        return action.assignee_id in agents
    return case.agent_id in agents


def recent_calls(session: Session, case: Case, limit: int = 20) -> list[CallLog]:
    return list(session.scalars(select(CallLog).where(CallLog.debtor_id == case.debtor_id)
                                .order_by(CallLog.at.desc(), CallLog.id.desc()).limit(limit)))
