"""Actions: tasks and communications on a case (calls, letters, visits, messages)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.domain.actions import FINISHED_STATUSES, UNFINISHED_STATUSES
from agency.domain.playbook.model import ACTION_KINDS, APPROVER_ROLES, ASSIGNEE_ROLES
from agency.models.base import Base, UTCDateTime, one_of

ACTION_STATUSES = UNFINISHED_STATUSES + FINISHED_STATUSES
APPROVAL_STATES = ("none", "pending", "approved", "rejected")
# Besides a playbook's kinds, the calls workspace makes call-backs and the pair's
# counter-calls (agency.services.calls.log), assigned to an agent.
ACTION_ROW_KINDS = ACTION_KINDS + ("callback", "counter_call")
ACTION_ASSIGNEE_ROLES = ASSIGNEE_ROLES + ("agent",)


class Action(Base):
    __tablename__ = "action"
    __table_args__ = (one_of("kind", ACTION_ROW_KINDS), one_of("status", ACTION_STATUSES),
                      one_of("approval", APPROVAL_STATES), one_of("approver_role", APPROVER_ROLES),
                      one_of("assignee_role", ACTION_ASSIGNEE_ROLES))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("collection_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    template: Mapped[str | None] = mapped_column(String(64))
    step_code: Mapped[str | None] = mapped_column(String(64))
    playbook_version: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    approval: Mapped[str] = mapped_column(String(16), default="none")
    approver_role: Mapped[str | None] = mapped_column(String(32))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approval_reason: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    assignee_role: Mapped[str | None] = mapped_column(String(32))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    claim_ids: Mapped[list] = mapped_column(JSON, default=list)
    # The playbook action this was made from (its label, handover phase and team).
    label: Mapped[str | None] = mapped_column(Text)
    step_action_id: Mapped[int | None] = mapped_column(ForeignKey("playbook_step_action.id"))
    outcome: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignee = relationship("User", foreign_keys=[assignee_id])
    case = relationship("Case", viewonly=True)
