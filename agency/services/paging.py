"""Pages of rows: every list a page or an API shows is read a bounded page at a time, so
no case, import or list, however large, makes one answer slow or big."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PER_PAGE = 500


@dataclass(frozen=True, slots=True)
class Page:
    """One page of rows, with the total the query matches."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def as_dict(self) -> dict:
        """The page's numbers, as an API answer carries them."""
        return {"page": self.page, "per_page": self.per_page, "pages": self.pages,
                "total": self.total}


def bounded(per_page: int | None, default: int = 50) -> int:
    """A page size between 1 and MAX_PER_PAGE."""
    return max(1, min(per_page or default, MAX_PER_PAGE))


def page_of(session: Session, query: Select, page: int | None, per_page: int) -> Page:
    """The ``page``-th (from 1) ``per_page`` rows of an ordered query, and their total."""
    per_page = bounded(per_page)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(max(1, page or 1), max(1, -(-total // per_page)))  # past the end: the last page
    items = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, total or 0, page, per_page)
