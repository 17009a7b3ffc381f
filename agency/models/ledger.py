"""The case ledger: signed entries in minor units, never edited, only reversed."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.models.base import Base, Currency, MinorUnits, UTCDateTime


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("collection_case.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # see agency.domain.ledger.ENTRY_KINDS
    # Signed: what the debtor owes more is positive, what it paid is negative.
    amount_minor: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(Currency)
    value_date: Mapped[date] = mapped_column(Date)
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str | None] = mapped_column(Text)
    # An entry is reversed at most once, by an entry that points back at it.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    # One entry per external event (payment intent, fee run): exactly-once crediting.
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    reverses: Mapped[LedgerEntry | None] = relationship(remote_side=[id])
