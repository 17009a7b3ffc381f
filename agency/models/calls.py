"""The agent workspace: calls placed, assignment rules, tasks sent to external partners.

The queue's indexes on `action` live here, beside the queries they serve
(agency.services.calls.worklist): the page reads an agent's open call actions due by now.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies
from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from agency.domain.actions import CALL_KINDS, WORKABLE_STATUSES
from agency.models.action import Action
from agency.domain.playbook.model import PARTNER_KINDS
from agency.models.base import Base, UTCDateTime, one_of, sql_in
from agency.models.case import Case

OPEN_STATUSES = WORKABLE_STATUSES
CALL_OUTCOMES = ("reached", "no_answer", "busy", "voicemail", "wrong_number", "refused",
                 "promise", "dispute", "callback", "already_paid")
REACHED_OUTCOMES = frozenset({"reached", "refused", "promise", "dispute", "callback", "already_paid"})
ASSIGNMENT_STRATEGIES = ("round_robin", "by_count", "by_balance", "fixed")
PARTNER_TASK_STATUSES = ("sent", "reported", "cancelled")
PARTNER_TASK_OUTCOMES = ("done", "debtor_found", "debtor_not_found", "paid", "refused", "impossible")



@lru_cache(maxsize=1)
def _exponents() -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for code in sorted(list_currencies()):
        found.setdefault(get_currency_precision(code), []).append(code)
    return {exponent: tuple(codes) for exponent, codes in found.items()}


@lru_cache(maxsize=1)
def balance_major_sql() -> str:
    """A case's balance in the smallest major-unit fraction of any currency: an exact integer
    whose order is the call queue's balance order (flat rates). Literal SQL, so that the index
    below and the queue's ORDER BY are the same expression."""
    exponents = _exponents()
    top = max(exponents)
    arms = " ".join(f"WHEN currency IN {sql_in(codes)} THEN {10 ** (top - exponent)}"
                    for exponent, codes in sorted(exponents.items()) if exponent != 2)
    return f"(balance_minor * CASE {arms} ELSE {10 ** (top - 2)} END)"


_OPEN = f"status IN {sql_in(OPEN_STATUSES)}"
_OPEN_CALL = text(f"{_OPEN} AND kind IN {sql_in(CALL_KINDS)}")
_UNASSIGNED_CALLBACK = text(f"{_OPEN} AND kind = 'callback' AND assignee_id IS NULL")

# "My calls now" (agency.services.calls.queue_sql). Partial, so they hold only the open calls, and
# covering (INCLUDE), so the queue reads index pages and never the scattered table rows:
# - each agent's open cases without a promise by balance (major units, see balance_major_sql),
#   for the walk, and its cases with an open promise;
# - the open calls of a case, probed for each case walked;
# - an agent's open calls by due instant (those assigned to it: call-backs, counter-calls);
# - the open call-backs left unassigned (calls.py assigns them: this one stays near empty).
_WALKED = "status = 'open' AND promised_date IS NULL"
_PROMISED = "status = 'open' AND promised_date IS NOT NULL"
Index("ix_case_queue_walk", Case.agent_id, text(f"{balance_major_sql()} DESC"), Case.id,
      postgresql_include=["hold_until", "creditor_id", "debtor_id", "currency", "balance_minor"],
      postgresql_where=text(_WALKED), sqlite_where=text(_WALKED))
Index("ix_case_queue_promised", Case.agent_id, Case.promised_date,
      postgresql_include=["hold_until", "creditor_id", "debtor_id", "currency", "balance_minor"],
      postgresql_where=text(_PROMISED), sqlite_where=text(_PROMISED))
Index("ix_action_queue_case", Action.case_id, Action.due_at,
      postgresql_include=["assignee_id", "kind", "id"], postgresql_where=_OPEN_CALL, sqlite_where=_OPEN_CALL)
Index("ix_action_queue_assignee", Action.assignee_id, Action.due_at,
      postgresql_include=["case_id", "kind", "id"], postgresql_where=_OPEN_CALL, sqlite_where=_OPEN_CALL)
Index("ix_action_queue_unassigned_callbacks", Action.due_at, postgresql_include=["case_id", "kind", "id"],
      postgresql_where=_UNASSIGNED_CALLBACK, sqlite_where=_UNASSIGNED_CALLBACK)


class CallLog(Base):
    """One call placed to a debtor and its outcome; the contact rules count these."""

    __tablename__ = "call_log"
    __table_args__ = (Index("ix_call_log_debtor_at", "debtor_id", "at"),
                      Index("ix_call_log_agent_at", "agent_id", "at"), one_of("outcome", CALL_OUTCOMES))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("collection_case.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    phone_id: Mapped[int | None] = mapped_column(ForeignKey("debtor_phone.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(32))
    reached: Mapped[bool] = mapped_column(Boolean, default=False)  # a conversation took place
    note: Mapped[str | None] = mapped_column(Text)
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("payment_promise.id"))
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AssignmentRule(Base):
    """How a team hands new cases to its agents, for one creditor or (creditor null) all."""

    __tablename__ = "assignment_rule"
    __table_args__ = (UniqueConstraint("team_id", "creditor_id"),
                      one_of("strategy", ASSIGNMENT_STRATEGIES))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    creditor_id: Mapped[int | None] = mapped_column(ForeignKey("creditor.id"))
    strategy: Mapped[str] = mapped_column(String(16), default="round_robin")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # strategy "fixed"
    last_agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # round-robin cursor


class PartnerTask(Base):
    """A task sent to an external partner by email, reported back through a secret link."""

    __tablename__ = "partner_task"
    __table_args__ = (one_of("kind", PARTNER_KINDS), one_of("status", PARTNER_TASK_STATUSES),
                      one_of("outcome", PARTNER_TASK_OUTCOMES))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("collection_case.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    kind: Mapped[str] = mapped_column(String(32))  # visit, service, investigation, ...
    instructions: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="sent", index=True)
    # The link's secret is never stored: it is derived when the email leaves, as an HMAC under
    # SECRET_KEY of this random nonce (agency.services.links); only its SHA-256 is kept, to find
    # the task from the link. Tasks sent before the derivation have no nonce.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_nonce: Mapped[str | None] = mapped_column(String(32))
    link_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_date: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(index=True)  # the outbound email, when queued
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))
    report: Mapped[str | None] = mapped_column(Text)
    document_name: Mapped[str | None] = mapped_column(String(255))
    document_path: Mapped[str | None] = mapped_column(String(500))
