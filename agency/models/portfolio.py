"""Portfolio intake: an import run of a creditor's file, its rejected rows, saved mappings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.models.base import Base, UTCDateTime, one_of
from agency.models.creditor import Creditor

# uploaded: waiting for its column mapping (back-office); queued -> running -> done;
# refused: the file is not a table or lacks columns (nothing written); failed: crashed
# (running it again resumes after the last committed chunk).
PORTFOLIO_STATUSES = ("uploaded", "queued", "running", "done", "refused", "failed")
PORTFOLIO_SOURCES = ("portal", "backoffice", "api", "cli")
COUNTERS = ("rows", "imported", "updated", "unchanged", "rejected", "warnings",
            "cases_created", "debtors_created")


class Portfolio(Base):
    """One import of one file for one creditor, with its progress and its counters."""

    __tablename__ = "portfolio"
    __table_args__ = (one_of("status", PORTFOLIO_STATUSES), one_of("source", PORTFOLIO_SOURCES))

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    sheet: Mapped[str | None] = mapped_column(String(100))
    mapping: Mapped[dict | None] = mapped_column(JSON)  # header -> field, as used
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    message: Mapped[str | None] = mapped_column(Text)  # why it was refused or failed (French)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)  # estimate, for the progress bar
    done_line: Mapped[int] = mapped_column(Integer, default=0)  # last file line committed
    rows: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    cases_created: Mapped[int] = mapped_column(Integer, default=0)
    debtors_created: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    creditor: Mapped[Creditor] = relationship()


REPORT_LEVELS = ("error", "warning")


class PortfolioRejection(Base):
    """A row the report lists: rejected (level 'error': its cells as read and every reason)
    or kept with warnings (level 'warning': what was dropped, no cells)."""

    __tablename__ = "portfolio_rejection"
    # the report reads a portfolio's errors, or its warnings, a page at a time in file order
    __table_args__ = (Index("ix_portfolio_rejection_report", "portfolio_id", "level", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolio.id"))
    line: Mapped[int] = mapped_column(Integer)
    cells: Mapped[list] = mapped_column(JSON, default=list)
    errors: Mapped[list] = mapped_column(JSON, default=list)  # [{"column", "message"}]
    level: Mapped[str] = mapped_column(String(8), default="error", server_default="error")


class ColumnMapping(Base):
    """A creditor's saved column mapping (file header -> field), reused by its next files."""

    __tablename__ = "column_mapping"

    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"), primary_key=True)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
