"""The audit trail: append-only, one row per state change (who, when, what, why)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from agency.models.append_only import keep_append_only
from agency.models.base import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("collection_case.id"), index=True)
    debtor_id: Mapped[int | None] = mapped_column(ForeignKey("debtor.id"), index=True)
    creditor_id: Mapped[int | None] = mapped_column(ForeignKey("creditor.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_label: Mapped[str] = mapped_column(String(200))  # "user:x@y", "system:tick", ...
    verb: Mapped[str] = mapped_column(String(48))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> [before, after]
    reason: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case")


# The database refuses rewrites too; only the privacy purge's redaction may rewrite these.
AUDIT_REDACTABLE = ("changes", "reason")
keep_append_only(AuditEvent.__table__, AUDIT_REDACTABLE)


class AuditTrailIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_rewrites(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditTrailIsAppendOnly("audit events are never changed or deleted")
