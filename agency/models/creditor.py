"""Creditors (donneurs d'ordre), their contract terms by version and their mandates.

The terms and the mandate are versioned rows, never edited: a change is a new row
(``agency.services.creditors``). ``Creditor.playbook_name`` is kept equal to the playbook
of the terms in force today (a playbook change applies at once): the engine's enrolment
reads it.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, false
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
    jurisdiction: Mapped[str | None] = mapped_column(String(32))  # fr, ohada, ma
    address: Mapped[str | None] = mapped_column(Text)
    # The language of its debtors' letters.
    language: Mapped[str] = mapped_column(String(8), default="fr", server_default="fr")
    # The playbook of the terms in force (derived: see the module's docstring).
    playbook_name: Mapped[str | None] = mapped_column(String(64))
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


class CreditorTerms(Base):
    """One version of a creditor's contract terms, in force from ``effective_from`` (the
    creditor's calendar) until a later version's; ``terms`` is ContractTerms.to_dict()."""

    __tablename__ = "creditor_terms"
    __table_args__ = (Index("ix_creditor_terms_creditor_from", "creditor_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"))
    effective_from: Mapped[date] = mapped_column(Date)
    terms: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)


class CreditorMandate(Base):
    """The written mandate (CPCE R124-3) as recorded; a new one replaces the last (the
    latest row is in force), the signed document kept under the instance folder."""

    __tablename__ = "creditor_mandate"

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    signed_on: Mapped[date] = mapped_column(Date)
    basis: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int | None] = mapped_column(MinorUnits)
    fees: Mapped[str | None] = mapped_column(Text)
    remittance_method: Mapped[str | None] = mapped_column(Text)
    remittance_days: Mapped[int | None] = mapped_column(Integer)
    document_path: Mapped[str | None] = mapped_column(String(500))  # relative to its folder
    document_name: Mapped[str | None] = mapped_column(String(255))
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    document_type: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)


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
