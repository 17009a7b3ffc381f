"""Our case references: RC-<year>-<serial>, allocated in blocks for bulk intake."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from agency.models import CaseSequence


def allocate_references(session: Session, now: datetime, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive references for the year of ``now``."""
    year = now.year
    last = session.scalar(
        update(CaseSequence).where(CaseSequence.year == year)
        .values(last_value=CaseSequence.last_value + count)
        .returning(CaseSequence.last_value))
    if last is None:
        session.execute(insert(CaseSequence).values(year=year, last_value=count))
        last = count
    first = last - count + 1
    return [f"RC-{year}-{n:06d}" for n in range(first, last + 1)]


