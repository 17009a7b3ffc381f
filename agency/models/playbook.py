"""The playbook engine's tables: stored playbook versions and their steps as rows, each
case's engine state (the version it runs, its indexed ``next_step_at``), step records,
holds (derogations) and the passes that ran."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.domain.playbook.model import (ACTION_KINDS, APPROVER_ROLES, ASSIGNEE_ROLES,
                                          CATCH_UP_POLICIES, PHASES, RESUME_POLICIES, TEAMS)
from agency.domain.playbook.schedule import SKIP_REASONS
from agency.models.base import Base, Currency, UTCDateTime, one_of

STEP_STATUSES = ("pending", "done", "skipped", "cancelled")
ENGINE_STATES = ("active", "held", "finished", "error", "stopped")


class PlaybookVersion(Base):
    """One version of a named playbook, as validated canonical data; never edited."""

    __tablename__ = "playbook_version"
    __table_args__ = (UniqueConstraint("name", "version"), one_of("catch_up", CATCH_UP_POLICIES),
                      one_of("resume", RESUME_POLICIES))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(Currency)
    has_segments: Mapped[bool] = mapped_column(Boolean, default=False)
    catch_up: Mapped[str] = mapped_column(String(8))
    resume: Mapped[str] = mapped_column(String(8))
    definition: Mapped[dict] = mapped_column(JSON)
    checksum: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    steps: Mapped[list[PlaybookStep]] = relationship(
        back_populates="playbook_version", cascade="all, delete-orphan",
        order_by="(PlaybookStep.position, PlaybookStep.rank)")


class PlaybookStep(Base):
    """A step of a version for one segment (``''`` when the playbook has none): flatten()."""

    __tablename__ = "playbook_step"
    __table_args__ = (UniqueConstraint("version_id", "segment", "code"),
                      one_of("approver_role", APPROVER_ROLES))

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("playbook_version.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    segment: Mapped[str] = mapped_column(String(16), default="")
    position: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200))
    offset_days: Mapped[int | None] = mapped_column(Integer)    # days and weeks, in days
    offset_months: Mapped[int | None] = mapped_column(Integer)  # calendar months, clamped
    ref_deposit: Mapped[bool] = mapped_column(Boolean, default=False)
    ref_due: Mapped[bool] = mapped_column(Boolean, default=False)
    ref_intake: Mapped[bool] = mapped_column(Boolean, default=False)
    ref_issue: Mapped[bool] = mapped_column(Boolean, default=False)
    previous_code: Mapped[str | None] = mapped_column(String(64))  # from: previous_step
    overdue_above_minor: Mapped[int | None] = mapped_column(BigInteger)
    no_payment_since_days: Mapped[int | None] = mapped_column(Integer)
    promise_broken: Mapped[bool] = mapped_column(Boolean, default=False)
    plan_broken: Mapped[bool] = mapped_column(Boolean, default=False)
    approver_role: Mapped[str | None] = mapped_column(String(32))

    playbook_version: Mapped[PlaybookVersion] = relationship(back_populates="steps")
    actions: Mapped[list[PlaybookStepAction]] = relationship(
        cascade="all, delete-orphan", order_by="PlaybookStepAction.position")


class PlaybookStepAction(Base):
    __tablename__ = "playbook_step_action"
    __table_args__ = (UniqueConstraint("step_id", "position"), one_of("kind", ACTION_KINDS),
                      one_of("assignee_role", ASSIGNEE_ROLES), one_of("to_phase", PHASES),
                      one_of("to_team", TEAMS), one_of("approver_role", APPROVER_ROLES))

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("playbook_step.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    assignee_role: Mapped[str] = mapped_column(String(32))
    template: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(Text)
    to_phase: Mapped[str | None] = mapped_column(String(32))
    to_team: Mapped[str | None] = mapped_column(String(32))
    approver_role: Mapped[str | None] = mapped_column(String(32))
    overdue_above_minor: Mapped[int | None] = mapped_column(BigInteger)
    no_payment_since_days: Mapped[int | None] = mapped_column(Integer)
    promise_broken: Mapped[bool] = mapped_column(Boolean, default=False)
    plan_broken: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseEngine(Base):
    """A case under a playbook: the version it keeps, where it stands, when to look again.

    The daily pass reads only rows with ``next_step_at <= today`` (creditor's calendar).
    """

    __tablename__ = "case_engine"
    __table_args__ = (Index("ix_case_engine_creditor_next", "creditor_id", "next_step_at"),
                      one_of("state", ENGINE_STATES))

    case_id: Mapped[int] = mapped_column(ForeignKey("collection_case.id"), primary_key=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("playbook_version.id"))
    next_step_at: Mapped[date | None] = mapped_column(Date)
    current_step: Mapped[str | None] = mapped_column(String(64))
    waiting_step: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="active")
    last_error: Mapped[str | None] = mapped_column(Text)
    enrolled_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    playbook_version: Mapped[PlaybookVersion] = relationship()


class CaseStep(Base):
    """What became of a step for a case; one per case and step, so a step fires once."""

    __tablename__ = "case_step"
    __table_args__ = (UniqueConstraint("case_id", "step_code"), one_of("status", STEP_STATUSES),
                      one_of("reason", SKIP_REASONS))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("collection_case.id"))
    step_code: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[int] = mapped_column(ForeignKey("playbook_version.id"))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))  # why skipped
    due_on: Mapped[date | None] = mapped_column(Date)
    on_date: Mapped[date] = mapped_column(Date)  # recorded, or completed for done
    pass_id: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EngineHold(Base):
    """A derogation: a case, or a debtor with all its cases, held until a day (included)."""

    __tablename__ = "engine_hold"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("collection_case.id"), index=True)
    debtor_id: Mapped[int | None] = mapped_column(ForeignKey("debtor.id"), index=True)
    start_on: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    lifted_on: Mapped[date | None] = mapped_column(Date)  # the first day no longer held
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    lifted_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def last_day(self) -> date:
        """The last day held, an early lift included."""
        from datetime import timedelta
        if self.lifted_on is not None:
            return min(self.until, self.lifted_on - timedelta(days=1))
        return self.until


class EnginePass(Base):
    """A run of the daily pass, with its counts (also what the next pass sweeps from)."""

    __tablename__ = "engine_pass"

    id: Mapped[int] = mapped_column(primary_key=True)
    pass_id: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
