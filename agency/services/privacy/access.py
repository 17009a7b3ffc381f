"""The personal-data access log: one row per debtor whose data a page, an API answer, an
export or a command showed, apart from the business audit trail. Written by ``log_access``
at the edge of each read (one INSERT statement per read), read by admins."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from agency.models import Case, PersonalDataAccess
from agency.models.privacy import ACCESS_CHANNELS
from agency.services.paging import Page, page_of
from agency.services.audit import current_scope


def log_access(session: Session, channel: str, *, route: str, cases: Iterable[Case] = (),
               debtor_ids: Iterable[int] = (), reads: Iterable[tuple[int, int | None]] = ()) -> int:
    """Record that the scope's actor read these cases' debtors, these debtors, or these
    (debtor id, case id) pairs now."""
    if channel not in ACCESS_CHANNELS:
        raise ValueError(f"unknown access channel {channel}")
    scope = current_scope(session)
    reads = dict.fromkeys([(case.debtor_id, case.id) for case in cases]
                          + [(debtor_id, None) for debtor_id in debtor_ids] + list(reads))
    rows = [{"at": scope.now, "actor_id": scope.actor.user_id, "actor_label": scope.actor.label,
             "debtor_id": debtor_id, "case_id": case_id, "channel": channel, "route": route[:200]}
            for debtor_id, case_id in reads]
    if rows:
        session.execute(insert(PersonalDataAccess), rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class AccessFilters:
    debtor_id: int | None = None
    actor: str | None = None  # part of the actor's label
    since: datetime | None = None
    until: datetime | None = None  # excluded


@dataclass(frozen=True, slots=True)
class AccessPage(Page):
    """A page of the access log (``entries``), with the references of their cases."""

    references: dict[int, str] = field(default_factory=dict)  # case id -> reference

    @property
    def entries(self) -> list[PersonalDataAccess]:
        return self.items


def access_log(session: Session, filters: AccessFilters, *, page: int = 1,
               per_page: int = 100) -> AccessPage:
    """A page of the access log, newest first."""
    query = select(PersonalDataAccess)
    if filters.debtor_id is not None:
        query = query.where(PersonalDataAccess.debtor_id == filters.debtor_id)
    if filters.actor:
        query = query.where(PersonalDataAccess.actor_label.ilike(f"%{filters.actor}%"))
    if filters.since is not None:
        query = query.where(PersonalDataAccess.at >= filters.since)
    if filters.until is not None:
        query = query.where(PersonalDataAccess.at < filters.until)
    found = page_of(session, query.order_by(PersonalDataAccess.at.desc(), PersonalDataAccess.id.desc()),
                    page, per_page)
    case_ids = {e.case_id for e in found.items if e.case_id is not None}
    references = dict(session.execute(select(Case.id, Case.reference).where(Case.id.in_(case_ids))).all()
                      ) if case_ids else {}
    return AccessPage(found.items, found.total, found.page, found.per_page, references=references)


def accesses_of_debtor(session: Session, debtor_id: int) -> list[PersonalDataAccess]:
    return list(session.scalars(select(PersonalDataAccess).where(PersonalDataAccess.debtor_id == debtor_id)
                                .order_by(PersonalDataAccess.at, PersonalDataAccess.id)))
