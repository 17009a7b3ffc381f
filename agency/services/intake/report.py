"""What an import says back: the status document (CLI, API, pages) and the rejected rows
as a CSV to fix and send again."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from agency.models import Case, Portfolio, PortfolioRejection
from agency.models.portfolio import COUNTERS
from agency.services.paging import Page, page_of

REJECT_COLUMN = "Motif du rejet (Recouvra)"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _report_rows(portfolio: Portfolio, level: str):
    return (select(PortfolioRejection)
            .where(PortfolioRejection.portfolio_id == portfolio.id,
                   PortfolioRejection.level == level)
            .order_by(PortfolioRejection.line, PortfolioRejection.id))


def rejections(session: Session, portfolio: Portfolio) -> Iterator[PortfolioRejection]:
    """Every rejected row, in file order (streamed)."""
    return session.scalars(_report_rows(portfolio, "error").execution_options(yield_per=1000))


def report_page(session: Session, portfolio: Portfolio, level: str, page: int,
                per_page: int) -> Page:
    """A page of the rejected rows ('error') or of the rows kept with warnings ('warning')."""
    return page_of(session, _report_rows(portfolio, level), page, per_page)


def created_cases(session: Session, portfolio: Portfolio, page: int, per_page: int) -> Page:
    """A page of the cases the import opened, in file order."""
    return page_of(session, select(Case).where(Case.portfolio_id == portfolio.id)
                   .options(selectinload(Case.debtor)).order_by(Case.id), page, per_page)


def issues(rows) -> list[dict]:
    """{line, column, message} of each reason of the report rows given."""
    return [{"line": r.line, "column": e.get("column"), "message": e["message"]}
            for r in rows for e in r.errors]


def status_document(session: Session, portfolio: Portfolio, *, errors: bool = True,
                    page: int | None = None, per_page: int = 100) -> dict:
    """The import's state and counters; ``errors`` lists {line, column, message} of the
    rejected rows and ``row_warnings`` those of the kept rows (file lines, header = line 1
    when it is the first): all of them, or the ``page``-th ``per_page`` rows of each
    (``pagination`` then tells how many there are)."""
    document = {
        "id": portfolio.id, "status": portfolio.status, "message": portfolio.message,
        "creditor": portfolio.creditor.code, "filename": portfolio.filename,
        "source": portfolio.source, "sheet": portfolio.sheet,
        "progress": {"done": portfolio.rows, "total": max(portfolio.rows_total, portfolio.rows)},
        **{name: getattr(portfolio, name) for name in COUNTERS},
        "created_at": _iso(portfolio.created_at), "started_at": _iso(portfolio.started_at),
        "finished_at": _iso(portfolio.finished_at),
    }
    if not errors:
        return document
    if page is None:
        document["errors"] = issues(rejections(session, portfolio))
        document["row_warnings"] = issues(session.scalars(_report_rows(portfolio, "warning")))
        return document
    rejected = report_page(session, portfolio, "error", page, per_page)
    warned = report_page(session, portfolio, "warning", page, per_page)
    document["errors"], document["row_warnings"] = issues(rejected.items), issues(warned.items)
    document["pagination"] = {"page": rejected.page, "per_page": per_page,
                              "rejected_rows": rejected.total, "warning_rows": warned.total,
                              "pages": max(rejected.pages, warned.pages)}
    return document


def percent_done(portfolio: Portfolio) -> int:
    """How far the import is, 0-100 (a finished one, refused or done, is at 100)."""
    if portfolio.status in ("done", "refused"):
        return 100
    total = max(portfolio.rows_total, portfolio.rows)
    return min(100, int(100 * portfolio.rows / total)) if total else 0


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
