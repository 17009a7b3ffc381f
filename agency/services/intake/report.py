"""What an import says back: the status document (CLI, API, pages) and the rejected rows
as a CSV to fix and send again."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.models import Portfolio, PortfolioRejection
from agency.models.portfolio import COUNTERS

REJECT_COLUMN = "Motif du rejet (Recouvra)"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def rejections(session: Session, portfolio: Portfolio) -> Iterator[PortfolioRejection]:
    return session.scalars(select(PortfolioRejection)
                           .where(PortfolioRejection.portfolio_id == portfolio.id)
                           .order_by(PortfolioRejection.line, PortfolioRejection.id))


def status_document(session: Session, portfolio: Portfolio, *, errors: bool = True) -> dict:
    """The import's state and counters; ``errors`` lists {line, column, message} (file lines,
    header = line 1 when it is the first)."""
    document = {
        "id": portfolio.id, "status": portfolio.status, "message": portfolio.message,
        "creditor": portfolio.creditor.code, "filename": portfolio.filename,
        "source": portfolio.source, "sheet": portfolio.sheet,
        "progress": {"done": portfolio.rows, "total": max(portfolio.rows_total, portfolio.rows)},
        **{name: getattr(portfolio, name) for name in COUNTERS},
        "created_at": _iso(portfolio.created_at), "started_at": _iso(portfolio.started_at),
        "finished_at": _iso(portfolio.finished_at),
    }
    if errors:
        document["errors"] = [{"line": r.line, "column": e.get("column"), "message": e["message"]}
                              for r in rejections(session, portfolio) for e in r.errors]
    return document


def percent_done(portfolio: Portfolio) -> int:
    if portfolio.status == "done":
        return 100
    total = max(portfolio.rows_total, portfolio.rows)
    return int(100 * portfolio.rows / total) if total else 0


def rejected_csv(session: Session, portfolio: Portfolio) -> Iterator[str]:
    """The rejected rows as they were read, plus a column of reasons (';', UTF-8 with BOM
    so that Excel opens the accents right); the header is the file's."""
    header = [h for h in (portfolio.mapping or {}) if h != REJECT_COLUMN]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["\ufeff" + (header[0] if header else "")] + header[1:] + [REJECT_COLUMN]
                    if header else [REJECT_COLUMN])
    yield _drain(buffer)
    for row in rejections(session, portfolio):
        cells = list(row.cells) + [""] * (len(header) - len(row.cells))
        reasons = " ; ".join(f"{e['column']} : {e['message']}" if e.get("column") else e["message"]
                             for e in row.errors)
        writer.writerow(cells[:max(len(header), len(row.cells))] + [reasons])
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def portfolio_of(session: Session, portfolio_id: int, creditor_id: int | None) -> Portfolio | None:
    """A portfolio, confined to a creditor when one is given (portal, API)."""
    query = select(Portfolio).where(Portfolio.id == portfolio_id)
    if creditor_id is not None:
        query = query.where(Portfolio.creditor_id == creditor_id)
    return session.scalar(query)


def recent_portfolios(session: Session, creditor_id: int | None, limit: int = 20) -> list[Portfolio]:
    query = select(Portfolio).order_by(Portfolio.id.desc()).limit(limit)
    if creditor_id is not None:
        query = query.where(Portfolio.creditor_id == creditor_id)
    return list(session.scalars(query))
