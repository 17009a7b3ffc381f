"""Personal data: who read which debtor's data (the access log, apart from the business audit
trail) and the purges of debtors whose retention period ended. Both are append-only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from agency.models.append_only import keep_append_only
from agency.models.base import Base, UTCDateTime, one_of

# Where a read happened: a case's page, a list or search result, the API, the debtor's own
# portal, an export for an access request, the operator CLI.
ACCESS_CHANNELS = ("case_page", "search", "api", "portal", "export", "cli")


class PersonalDataAccess(Base):
    """One read of a debtor's personal data: who, when, through what."""

    __tablename__ = "personal_data_access"
    __table_args__ = (Index("ix_personal_data_access_debtor_at", "debtor_id", "at"),
                      one_of("channel", ACCESS_CHANNELS))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_label: Mapped[str] = mapped_column(String(200))  # "user:x@y", "api:CODE", "debtor:RC-..."
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("collection_case.id"))
    channel: Mapped[str] = mapped_column(String(16))  # ACCESS_CHANNELS
    route: Mapped[str] = mapped_column(String(200))  # the endpoint or command, never a query


class PrivacyPurge(Base):
    """A debtor whose personal data was erased at the end of its retention period."""

    __tablename__ = "privacy_purge"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), unique=True)
    actor_label: Mapped[str] = mapped_column(String(200))
    last_closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kept_until: Mapped[datetime] = mapped_column(UTCDateTime)
    erased: Mapped[dict] = mapped_column(JSON, default=dict)  # what -> how many rows


keep_append_only(PersonalDataAccess.__table__)
keep_append_only(PrivacyPurge.__table__)


class PrivacyRecordIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_privacy_rewrites(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, (PersonalDataAccess, PrivacyPurge)) and (
                obj in session.deleted or session.is_modified(obj)):
            raise PrivacyRecordIsAppendOnly("the access log and the purge log are never changed")
