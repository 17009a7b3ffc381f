"""Intake step: no case grows beyond its claims limit across files.

Within one file the domain rejects the rows beyond the limit (``RowNormaliser``); here a
chunk's new claims are counted on top of the claims its known cases already have, and the
rows beyond the limit leave the chunk as rejections, with their line and reason."""
from __future__ import annotations

from sqlalchemy.orm import Session

from agency.domain.intake.limits import too_many_claims
from agency.services.sql import run

_BEYOND = """
    WITH held AS (
        SELECT ic.case_key, count(cl.id) AS n FROM intake_case ic
        JOIN claim cl ON cl.case_id = ic.case_id
        WHERE ic.case_id IS NOT NULL GROUP BY ic.case_key),
    ranked AS (
        SELECT r.line, r.case_key,
               row_number() OVER (PARTITION BY r.case_key ORDER BY r.line) AS rank
        FROM intake_row r WHERE r.claim_id IS NULL)
    SELECT ranked.line, ic.external_ref FROM ranked
    JOIN held ON held.case_key = ranked.case_key
    JOIN intake_case ic ON ic.case_key = ranked.case_key
    WHERE held.n + ranked.rank > :limit
    ORDER BY ranked.line"""


def reject_claims_beyond(session: Session, limit: int | None) -> list[tuple[int, str]]:
    """Drop from the chunk the new claims of known cases beyond ``limit``; returns their
    (line, reason). Call after the claims are matched, before they are numbered."""
    if limit is None:
        return []
    beyond = [(line, too_many_claims(reference, limit))
              for line, reference in run(session, _BEYOND, limit=limit).all()]
    for start in range(0, len(beyond), 500):
        lines = [line for line, _ in beyond[start:start + 500]]
        run(session, f"DELETE FROM intake_row WHERE line IN ({', '.join(map(str, lines))})")
    return beyond
