"""Debtors and their contact points, each with a status."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.domain.intake.vocab import DEBTOR_KINDS
from agency.models.base import Base, UTCDateTime, one_of

CONTACT_STATUSES = ("valid", "wrong", "returned", "opted_out")


class Debtor(Base):
    __tablename__ = "debtor"
    __table_args__ = (one_of("kind", DEBTOR_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="person")
    name: Mapped[str] = mapped_column(String(255))
    # Accent-, case- and legal-form-free name, for search and for merging debtors.
    name_key: Mapped[str] = mapped_column(String(255), index=True)
    national_id: Mapped[str | None] = mapped_column(String(64), index=True)
    company_id: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    country: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    phones: Mapped[list[DebtorPhone]] = relationship(
        back_populates="debtor", cascade="all, delete-orphan", order_by="DebtorPhone.id")
    emails: Mapped[list[DebtorEmail]] = relationship(
        back_populates="debtor", cascade="all, delete-orphan", order_by="DebtorEmail.id")
    addresses: Mapped[list[DebtorAddress]] = relationship(
        back_populates="debtor", cascade="all, delete-orphan", order_by="DebtorAddress.id")


class DebtorPhone(Base):
    __tablename__ = "debtor_phone"
    __table_args__ = (UniqueConstraint("debtor_id", "e164"), one_of("status", CONTACT_STATUSES))

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    e164: Mapped[str] = mapped_column(String(20), index=True)
    label: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="valid")
    timezone: Mapped[str | None] = mapped_column(String(64))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    debtor: Mapped[Debtor] = relationship(back_populates="phones")


class DebtorEmail(Base):
    __tablename__ = "debtor_email"
    __table_args__ = (UniqueConstraint("debtor_id", "email"), one_of("status", CONTACT_STATUSES))

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    email: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(16), default="valid")
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    debtor: Mapped[Debtor] = relationship(back_populates="emails")


class DebtorAddress(Base):
    __tablename__ = "debtor_address"
    __table_args__ = (one_of("status", CONTACT_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    line1: Mapped[str] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default="valid")  # returned = NPAI
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    debtor: Mapped[Debtor] = relationship(back_populates="addresses")
