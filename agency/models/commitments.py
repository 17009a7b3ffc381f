"""What a debtor committed to or contests: promises to pay, instalment plans, disputes.

While one is open (a promise not yet due, an active plan, an open dispute) the
playbook's escalation is paused; a broken promise or plan resumes it.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agency.models.base import Base, Currency, MinorUnits, UTCDateTime, one_of

PROMISE_STATUSES = ("open", "kept", "broken", "cancelled")
PLAN_STATUSES = ("proposed", "active", "completed", "broken", "cancelled")
DISPUTE_STATUSES = ("open", "resolved", "rejected")
DISPUTE_RAISERS = ("debtor", "agent", "creditor")


class PaymentPromise(Base):
    __tablename__ = "payment_promise"
    __table_args__ = (one_of("status", PROMISE_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("collection_case.id"), index=True)
    promised_date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(Currency)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # the agent who took it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class InstalmentPlan(Base):
    __tablename__ = "instalment_plan"
    __table_args__ = (one_of("status", PLAN_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("collection_case.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    instalments: Mapped[int] = mapped_column(Integer)
    total_minor: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(Currency)
    first_due: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Dispute(Base):
    __tablename__ = "dispute"
    __table_args__ = (one_of("status", DISPUTE_STATUSES), one_of("raised_by", DISPUTE_RAISERS))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("collection_case.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    reason: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
