"""Running an import: stream the file, normalise each row, write chunk after chunk.

Each chunk is committed with the portfolio's progress (``done_line``), so a crashed run
started again re-reads the file (claim keys depend on the rows before), skips the lines
already committed and finishes the rest: nothing is lost and nothing doubled.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from agency.domain.intake import (ColumnMap, IntakeContext, IntakeError, IntakeLimits, RawRow,
                                  RowNormaliser, RowOutcome, Table, map_columns, open_table)
from agency.domain.timezones import local_date
from agency.models import Portfolio
from agency.models.portfolio import COUNTERS
from agency.oplog import operation
from agency.services.audit import current_scope
from agency.services.intake.cases import RunContext
from agency.services.intake.chunk import ChunkCounts, plan_chunk, write_chunk
from agency.services.intake.files import discard_file
from agency.services.intake.hooks import after_chunk, chunk_case_ids
from agency.services.creditors.terms import terms_in_force

CHUNK_SIZE = 5000
FINAL = ("done", "refused")
Commit = Callable[[], None]


def run_portfolio(session: Session, portfolio: Portfolio, *, commit: Commit,
                  chunk_size: int = CHUNK_SIZE, limits: IntakeLimits | None = None) -> Portfolio:
    """Import (or finish importing) the portfolio's file, calling ``commit`` per chunk.
    A file beyond ``limits`` (its size, rows, columns) is refused before a row is written."""
    if portfolio.status in FINAL:
        return portfolio
    with operation("intake.import", portfolio_id=portfolio.id, creditor_id=portfolio.creditor_id,
                   after_line=portfolio.done_line) as op:
        _run(session, portfolio, commit, chunk_size, limits)
        op.add(status=portfolio.status, **{name: getattr(portfolio, name) for name in COUNTERS})
    return portfolio


def _run(session: Session, portfolio: Portfolio, commit: Commit, chunk_size: int,
         limits: IntakeLimits | None) -> Portfolio:
    scope = current_scope(session)
    limits = limits or IntakeLimits()
    try:
        table = open_table(portfolio.stored_path, portfolio.filename, sheet=portfolio.sheet,
                           saved_mapping=portfolio.mapping, limits=limits)
    except IntakeError as exc:
        return _refuse(portfolio, exc.message, scope.now, commit)
    with table:
        try:
            columns = map_columns(table.header, portfolio.mapping)
            if not portfolio.done_line:
                table.check_shape()
        except IntakeError as exc:
            table.close()
            return _refuse(portfolio, exc.message, scope.now, commit)
        _start(portfolio, table, columns, scope.now)
        commit()
        _write_chunks(session, portfolio, table, columns, commit, chunk_size, limits)
    portfolio.status, portfolio.finished_at = "done", scope.now
    portfolio.rows_total = portfolio.rows
    commit()
    return portfolio


def _write_chunks(session: Session, portfolio: Portfolio, table: Table, columns: ColumnMap,
                  commit: Commit, chunk_size: int, limits: IntakeLimits) -> None:
    creditor = portfolio.creditor
    ctx = _context(session, portfolio, limits)
    rule = terms_in_force(session, creditor.id, ctx.today).segment_rule
    intake = IntakeContext(currency=creditor.currency, country=creditor.country,
                           today=ctx.today, locale=creditor.locale or "fr_FR",
                           default_debtor_kind=creditor.default_debtor_kind,
                           max_claims_per_case=limits.max_claims_per_case)
    normaliser = RowNormaliser(columns, intake, strict_width=table.kind == "csv")
    batches = _normalised(table, normaliser, portfolio.done_line, chunk_size)
    planned = (plan_chunk(ctx.portfolio_id, outcomes) for outcomes in batches)
    with _read_ahead(planned) as chunks:
        for chunk in chunks:
            counts = write_chunk(session, ctx, rule, chunk)
            new_ids, changed_ids = chunk_case_ids(session)
            after_chunk(session, creditor, new_ids, changed_ids, ctx.now)
            _add_counts(portfolio, counts, chunk.last_line)
            commit()


def _normalised(table: Table, normaliser: RowNormaliser, done_line: int,
                size: int) -> Iterator[list[tuple[RawRow, RowOutcome]]]:
    """The rows after ``done_line``, normalised, in lists of ``size``; the rows before are
    normalised too (and dropped) so claim keys come out as in the first run."""
    batch: list[tuple[RawRow, RowOutcome]] = []
    for raw in table.rows():
        outcome = normaliser.normalise(raw)
        if raw.line <= done_line:
            continue
        batch.append((raw, outcome))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@contextmanager
def _read_ahead(batches: Iterator[list], depth: int = 1) -> Iterator[Iterator[list]]:
    """Iterate ``batches`` in a thread, up to ``depth`` items ahead of the consumer, so the
    next chunk is parsed and laid out while PostgreSQL writes this one (the GIL is free
    meanwhile). The thread's exception is raised in the consumer; leaving the block stops
    the thread."""
    ahead: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: tuple) -> None:
        while not stop.is_set():
            try:
                return ahead.put(item, timeout=0.1)
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for batch in batches:
                offer((batch, None))
                if stop.is_set():
                    return
            offer((None, None))
        except BaseException as exc:  # handed to the consumer, which raises it
            offer((None, exc))

    def consume() -> Iterator[list]:
        while (item := ahead.get()) != (None, None):
            if item[1] is not None:
                raise item[1]
            yield item[0]

    worker = threading.Thread(target=produce, name="intake-reader", daemon=True)
    worker.start()
    try:
        yield consume()
    finally:
        stop.set()
        worker.join()


def _context(session: Session, portfolio: Portfolio, limits: IntakeLimits) -> RunContext:
    scope = current_scope(session)
    creditor = portfolio.creditor
    return RunContext(portfolio_id=portfolio.id, creditor_id=creditor.id,
                      max_claims_per_case=limits.max_claims_per_case,
                      currency=creditor.currency, now=scope.now,
                      today=local_date(scope.now, creditor.timezone),
                      actor_id=scope.actor.user_id, actor_label=scope.actor.label,
                      reason=f"import du portefeuille n° {portfolio.id} ({portfolio.filename})"[:500])


def _start(portfolio: Portfolio, table: Table, columns: ColumnMap, now) -> None:
    portfolio.status = "running"
    portfolio.started_at = portfolio.started_at or now
    portfolio.sheet = table.sheet
    portfolio.mapping = columns.as_mapping()
    portfolio.rows_total = max(table.estimate_rows(), portfolio.rows)
    portfolio.message = None


def _add_counts(portfolio: Portfolio, counts: ChunkCounts, last_line: int) -> None:
    for name in COUNTERS:
        setattr(portfolio, name, (getattr(portfolio, name) or 0) + getattr(counts, name))
    portfolio.done_line = last_line
    portfolio.rows_total = max(portfolio.rows_total, portfolio.rows)


def _refuse(portfolio: Portfolio, message: str, now, commit: Commit) -> Portfolio:
    """A file that is not a table, lacks columns or is beyond a limit: nothing is written
    but the refusal, and the stored file is deleted."""
    portfolio.status, portfolio.message, portfolio.finished_at = "refused", message, now
    commit()
    discard_file(portfolio)
    return portfolio
