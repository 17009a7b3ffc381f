"""Creditors (donneurs d'ordre) and their contract terms."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.models.base import Base, Currency, MinorUnits, UTCDateTime


class Creditor(Base):
    __tablename__ = "creditor"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(Currency)
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16), default="fr_FR")
    jurisdiction: Mapped[str | None] = mapped_column(String(32))  # ohada, fr, ma
    address: Mapped[str | None] = mapped_column(Text)
    # Contract terms: commission in basis points (1500 = 15 %), optional cap per case.
    commission_bp: Mapped[int] = mapped_column(Integer, default=0)
    commission_cap_minor: Mapped[int | None] = mapped_column(MinorUnits)
    payment_term_days: Mapped[int] = mapped_column(Integer, default=30)
    approval_rules: Mapped[dict] = mapped_column(JSON, default=dict)
    automation: Mapped[dict] = mapped_column(JSON, default=dict)
    segment_rule: Mapped[dict | None] = mapped_column(JSON)
    playbook_name: Mapped[str | None] = mapped_column(String(64))
    # The written mandate French law requires (CPCE R124-3).
    mandate_reference: Mapped[str | None] = mapped_column(String(64))
    mandate_date: Mapped[date | None] = mapped_column(Date)
    mandate_document: Mapped[str | None] = mapped_column(String(255))
    # The kind of a debtor its files do not describe (no type column, no identifier, no
    # company word in the name): 'person' or 'company' (an insurer-billing clinic's).
    default_debtor_kind: Mapped[str] = mapped_column(String(16), default="person",
                                                     server_default="person")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The creditor's users must sign in with a second factor (TOTP).
    require_two_factor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="creditor")

    def __repr__(self) -> str:
        return f"<Creditor {self.code}>"


class ApiToken(Base):
    """A creditor's API token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    creditor: Mapped[Creditor] = relationship(back_populates="tokens")
