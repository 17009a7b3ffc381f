"""One chunk of a portfolio file written in one transaction: staged, then applied with
set-based statements (debtors, contacts, cases, claims, ledger, segments, audit)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from agency.domain.intake import RawRow, RowOutcome
from agency.domain.intake.values import cell_text
from agency.domain.segments import SegmentRule
from agency.models import PortfolioRejection
from agency.services.intake import cases
from agency.services.intake.matching import match_debtors
from agency.services.intake.caps import reject_claims_beyond
from agency.services.intake.debtors import add_contacts, create_debtors
from agency.services.intake.segments import segment_cases
from agency.services.intake.sql import analyze_stage, lock_intake, prepare_stage, refresh_statistics
from agency.services.intake.stage import (CASE_COLUMNS, CONTACT_COLUMNS, DEBTOR_COLUMNS,
                                          ROW_COLUMNS, Chunk)
from agency.services.sql import copy_rows, insert_rows, run

_UPDATED = """
    SELECT count(*) FROM intake_row r JOIN intake_case ic ON ic.case_key = r.case_key
    JOIN intake_debtor d ON d.debtor_key = ic.debtor_key
    WHERE r.is_new = 0 AND (r.changed = 1 OR d.contact_added = 1)"""


@dataclass
class ChunkCounts:
    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    cases_created: int = 0
    debtors_created: int = 0
    rejected_late: int = 0  # of ``rejected``: kept rows rejected at writing (case full)


@dataclass
class PlannedChunk:
    """A chunk laid out for writing, without the database (built on the reader thread)."""

    last_line: int
    counts: ChunkCounts
    staged: Chunk
    rejections: list[dict]   # rejected rows, then kept rows' warnings (the report's rows)
    kept_cells: dict[int, tuple]  # line -> cells of the kept rows (should one be rejected later)
    portfolio_id: int = 0


def plan_chunk(portfolio_id: int, outcomes: list[tuple[RawRow, RowOutcome]]) -> PlannedChunk:
    """Sort a chunk's rows into staging rows and rejections, and count them."""
    counts = ChunkCounts(rows=len(outcomes))
    chunk = Chunk()
    rejections, warnings, kept = [], [], {}
    for raw, outcome in outcomes:
        if outcome.ok:
            chunk.add(outcome.claim)
            kept[raw.line] = raw.cells
            if outcome.warnings:
                counts.warnings += len(outcome.warnings)
                warnings.append(_warning(portfolio_id, outcome))
        else:
            rejections.append(_rejection(portfolio_id, raw, outcome))
    counts.rejected = len(rejections)
    return PlannedChunk(outcomes[-1][0].line, counts, chunk, rejections + warnings, kept,
                        portfolio_id)


def write_chunk(session: Session, ctx: cases.RunContext, rule: SegmentRule | None,
                planned: PlannedChunk) -> ChunkCounts:
    """Write one planned chunk's good rows and rejections; returns its counters."""
    lock_intake(session)
    refresh_statistics(session)
    counts = planned.counts
    insert_rows(session, PortfolioRejection.__table__, planned.rejections)
    if len(planned.staged):
        _apply(session, ctx, rule, planned, counts)
    return counts


def _apply(session: Session, ctx: cases.RunContext, rule: SegmentRule | None,
           planned: PlannedChunk, counts: ChunkCounts) -> None:
    chunk = planned.staged
    _stage(session, chunk)
    cases.match_cases(session, ctx.creditor_id)
    match_debtors(session, ctx.creditor_id)
    counts.debtors_created = create_debtors(session, ctx.now)
    add_contacts(session)
    counts.cases_created = cases.create_cases(session, ctx)
    cases.match_claims(session, ctx.creditor_id)
    _reject_beyond_limit(session, ctx, planned, counts)
    cases.number_claims(session)
    analyze_stage(session, "intake_row", "intake_case", "intake_debtor")
    counts.imported = cases.insert_claims(session, ctx)
    cases.update_claims(session, ctx)
    cases.audit_entries(session, ctx)
    segment_cases(session, ctx, rule)
    counts.updated = run(session, _UPDATED).scalar()
    counts.unchanged = len(chunk) - counts.rejected_late - counts.imported - counts.updated


def _reject_beyond_limit(session: Session, ctx: cases.RunContext, planned: PlannedChunk,
                         counts: ChunkCounts) -> None:
    """Rows whose known case is full leave the chunk as rejected rows."""
    beyond = reject_claims_beyond(session, ctx.max_claims_per_case)
    if not beyond:
        return
    insert_rows(session, PortfolioRejection.__table__, [
        {"portfolio_id": ctx.portfolio_id, "line": line, "level": "error",
         "cells": [cell_text(cell) for cell in planned.kept_cells.get(line, ())],
         "errors": [{"column": None, "message": reason}]} for line, reason in beyond])
    counts.rejected += len(beyond)
    counts.rejected_late = len(beyond)


def _stage(session: Session, chunk: Chunk) -> None:
    prepare_stage(session)
    copy_rows(session, "intake_row", ROW_COLUMNS, chunk.rows)
    copy_rows(session, "intake_case", CASE_COLUMNS, list(chunk.cases.values()))
    copy_rows(session, "intake_debtor", DEBTOR_COLUMNS, [tuple(d) for d in chunk.debtors.values()])
    copy_rows(session, "intake_contact", CONTACT_COLUMNS, list(chunk.contacts.values()))
    analyze_stage(session)


def _rejection(portfolio_id: int, raw: RawRow, outcome: RowOutcome) -> dict:
    return {"portfolio_id": portfolio_id, "line": outcome.line, "level": "error",
            "cells": [cell_text(cell) for cell in raw.cells],
            "errors": [{"column": e.column, "message": e.message} for e in outcome.errors]}


def _warning(portfolio_id: int, outcome: RowOutcome) -> dict:
    return {"portfolio_id": portfolio_id, "line": outcome.line, "level": "warning", "cells": [],
            "errors": [{"column": w.column, "message": w.message} for w in outcome.warnings]}
