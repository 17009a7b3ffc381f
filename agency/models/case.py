"""Cases (dossiers) and their claims (créances)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.domain.intake.vocab import CLAIM_KINDS  # the kinds a file or open_case may name
from agency.models.base import Base, Currency, MinorUnits, UTCDateTime, one_of
from agency.models.creditor import Creditor
from agency.models.debtor import Debtor

PHASES = ("amicable", "pre_litigation", "judicial", "injunction", "enforcement", "closed")
# Where a playbook's handover may send a case (agency.domain.playbook.model.PHASES).
PLAYBOOK_PHASES = ("commercial", "personalised", "agency_collection", "creditor")
CASE_PHASES = PHASES + PLAYBOOK_PHASES
STATUSES = ("open", "paid", "closed")


class Case(Base):
    __tablename__ = "collection_case"
    __table_args__ = (UniqueConstraint("creditor_id", "external_ref"),
                      UniqueConstraint("creditor_id", "intake_key"),
                      one_of("phase", CASE_PHASES), one_of("status", STATUSES))

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    external_ref: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(Currency)
    phase: Mapped[str] = mapped_column(String(32), default="amicable")
    status: Mapped[str] = mapped_column(String(16), default="open")
    segment: Mapped[str | None] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    hold_until: Mapped[date | None] = mapped_column(Date)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    hold_approved_by: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The sum of the case's ledger entries, kept by a database trigger on every insert
    # into ledger_entry (agency.models.ledger), so lists and queues can sort by it.
    balance_minor: Mapped[int] = mapped_column(MinorUnits, default=0, server_default="0")
    # The date of the case's open promise to pay, if any (agency.services.calls.promises keeps it, the
    # promise itself is in payment_promise): the call queue puts these cases first, by this date.
    promised_date: Mapped[date | None] = mapped_column(Date)
    # Portfolio intake's case key ('case:<REF>' or the debtor key): re-imports find the case.
    intake_key: Mapped[str | None] = mapped_column(String(255))
    # The import that opened the case, if one did (its report links the cases it created).
    portfolio_id: Mapped[int | None] = mapped_column(ForeignKey("portfolio.id"), index=True)
    # The debtor's annual billed amount as the creditor's last file gave it (in the case's
    # currency): the basis of an annual_billed segmentation, kept for re-segmenting.
    annual_billed_minor: Mapped[int | None] = mapped_column(MinorUnits)

    creditor: Mapped[Creditor] = relationship()
    debtor: Mapped[Debtor] = relationship()
    claims: Mapped[list[Claim]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Claim.id")

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


class Claim(Base):
    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("case_id", "reference"),
                      UniqueConstraint("case_id", "intake_key"), one_of("kind", CLAIM_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("collection_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="invoice")
    reference: Mapped[str] = mapped_column(String(100))
    amount_minor: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(Currency)
    issue_date: Mapped[date | None] = mapped_column(Date)
    deposit_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Portfolio intake's claim key, unique within the creditor (see domain/intake/identity).
    intake_key: Mapped[str | None] = mapped_column(String(255), index=True)

    case: Mapped[Case] = relationship(back_populates="claims")


class CaseSequence(Base):
    """Per-year counter behind our case references (RC-2026-000123)."""

    __tablename__ = "case_sequence"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
