"""The creditor's terms in force on a day: what commission, plans, sends, the engine, intake
and the call queue read. One ``creditor_terms`` row per change, in force from its
``effective_from`` (the creditor's calendar) until a later row's.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.contract import ContractTerms
from agency.domain.timezones import local_date
from agency.models import Creditor, CreditorTerms
from agency.services.audit import current_scope


def terms_in_force(session: Session, creditor_id: int, day: date) -> ContractTerms:
    """The latest version in force on ``day``; before the first version, the first one
    (the first terms cover everything before them); defaults when there is none."""
    row = session.scalar(select(CreditorTerms).where(
        CreditorTerms.creditor_id == creditor_id, CreditorTerms.effective_from <= day)
        .order_by(CreditorTerms.effective_from.desc(), CreditorTerms.id.desc()).limit(1))
    if row is None:
        row = session.scalar(select(CreditorTerms).where(CreditorTerms.creditor_id == creditor_id)
                             .order_by(CreditorTerms.effective_from, CreditorTerms.id).limit(1))
    return terms_of(row)


def terms_in_force_many(session: Session, creditor_ids: Iterable[int],
                        at: datetime) -> dict[int, ContractTerms]:
    """creditor id -> its terms in force at the instant ``at`` (each on its own calendar),
    reading their versions in one query."""
    ids = sorted(set(creditor_ids))
    if not ids:
        return {}
    zones = dict(session.execute(select(Creditor.id, Creditor.timezone).where(Creditor.id.in_(ids))).all())
    rows: dict[int, list[CreditorTerms]] = {creditor_id: [] for creditor_id in ids}
    for row in session.scalars(select(CreditorTerms).where(CreditorTerms.creditor_id.in_(ids))
                               .order_by(CreditorTerms.effective_from, CreditorTerms.id)):
        rows[row.creditor_id].append(row)
    found = {}
    for creditor_id, versions in rows.items():
        day = local_date(at, zones.get(creditor_id) or "UTC")
        current = [row for row in versions if row.effective_from <= day] or versions[:1]
        found[creditor_id] = terms_of(current[-1] if current else None)
    return found


def terms_of(row: CreditorTerms | None) -> ContractTerms:
    """The domain value of a stored version (parsed once per content)."""
    if row is None:
        return ContractTerms()
    return _parsed(json.dumps(row.terms, sort_keys=True))


@lru_cache(maxsize=512)
def _parsed(text: str) -> ContractTerms:
    return ContractTerms.from_dict(json.loads(text))


def terms_history(session: Session, creditor_id: int) -> list[CreditorTerms]:
    """Every version, the latest first."""
    return list(session.scalars(select(CreditorTerms).where(CreditorTerms.creditor_id == creditor_id)
                                .order_by(CreditorTerms.effective_from.desc(),
                                          CreditorTerms.id.desc())))


def creditor_today(session: Session, creditor: Creditor) -> date:
    """The scope's instant on the creditor's calendar."""
    return local_date(current_scope(session).now, creditor.timezone)


def store_terms(session: Session, creditor: Creditor, terms: ContractTerms, *,
                effective_from: date, reason: str | None) -> CreditorTerms:
    """Write a new version (the caller has validated it)."""
    scope = current_scope(session)
    row = CreditorTerms(creditor_id=creditor.id, effective_from=effective_from,
                        terms=terms.to_dict(), created_by=scope.actor.label, created_at=scope.now,
                        reason=reason if reason is not None else scope.reason)
    session.add(row)
    session.flush()
    return row
