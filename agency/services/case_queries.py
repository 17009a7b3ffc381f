"""Reading cases for lists and pages, always within the viewer's creditor scope."""
from __future__ import annotations

from dataclasses import dataclass, field

import phonenumbers
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from agency.domain.money import Money
from agency.domain.names import name_key
from agency.models import AuditEvent, Case, Claim, Creditor, Debtor, DebtorPhone, LedgerEntry
from agency.services.paging import Page, page_of


@dataclass(frozen=True, slots=True)
class CaseFilters:
    q: str | None = None
    creditor_code: str | None = None
    phase: str | None = None
    segment: str | None = None
    agent_id: int | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class CasePage(Page):
    """A page of cases (``cases``), with each one's balance."""

    balances: dict[int, int] = field(default_factory=dict)

    @property
    def cases(self) -> list[Case]:
        return self.items


def search_cases(session: Session, filters: CaseFilters, *, creditor_id: int | None = None,
                 page: int = 1, per_page: int = 50) -> CasePage:
    """A page of cases matching the filters; ``creditor_id`` confines a creditor user."""
    found = page_of(session, _filtered(select(Case), filters, creditor_id)
                    .options(selectinload(Case.debtor), selectinload(Case.creditor))
                    .order_by(Case.opened_at.desc(), Case.id.desc()), page, per_page)
    # the balance the ledger trigger keeps on the case: no case's entries are summed here
    return CasePage(found.items, found.total, found.page, found.per_page,
                    balances={c.id: c.balance_minor for c in found.items})


def _filtered(query: Select, filters: CaseFilters, creditor_id: int | None) -> Select:
    query = query.join(Debtor, Case.debtor_id == Debtor.id)
    if creditor_id is not None:
        query = query.where(Case.creditor_id == creditor_id)
    if filters.creditor_code:
        query = query.join(Creditor, Case.creditor_id == Creditor.id).where(
            Creditor.code == filters.creditor_code)
    for column, value in ((Case.phase, filters.phase), (Case.segment, filters.segment),
                          (Case.agent_id, filters.agent_id), (Case.status, filters.status)):
        if value:
            query = query.where(column == value)
    if filters.q and filters.q.strip():
        query = query.where(_text_match(filters.q.strip()))
    return query


def _text_match(text: str):
    """Our reference, the creditor's reference, the debtor's name, or a phone number."""
    like = f"%{text}%"
    conditions = [Case.reference.ilike(like), Case.external_ref.ilike(like)]
    key = name_key(text)
    if key:
        conditions.append(Debtor.name_key.like(f"%{key}%"))
    phone = _as_e164(text)
    if phone:
        conditions.append(Case.debtor_id.in_(
            select(DebtorPhone.debtor_id).where(DebtorPhone.e164 == phone)))
    return or_(*conditions)


def _as_e164(text: str) -> str | None:
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if len(digits.lstrip("+")) < 6:
        return None
    for region in (None, "SN", "MA", "FR", "BF"):
        try:
            number = phonenumbers.parse(digits, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


# A case's page reads each of its lists a page at a time, and its balance from the case
# row (kept by the ledger's trigger): a case of any size opens in bounded time and memory.
CASE_PAGE_SIZE = 50


def case_balance_shown(case: Case) -> Money:
    """The balance a page shows: the sum of the entries, as the trigger keeps it."""
    return Money(int(case.balance_minor or 0), case.currency)


def claims_page(session: Session, case: Case, page: int | None = 1,
                per_page: int = CASE_PAGE_SIZE) -> Page:
    return page_of(session, select(Claim).where(Claim.case_id == case.id).order_by(Claim.id),
                   page, per_page)


def ledger_page(session: Session, case: Case, page: int | None = 1,
                per_page: int = CASE_PAGE_SIZE) -> Page:
    return page_of(session, select(LedgerEntry).where(LedgerEntry.case_id == case.id)
                   .options(selectinload(LedgerEntry.claim))
                   .order_by(LedgerEntry.booked_at, LedgerEntry.id), page, per_page)


def timeline(session: Session, case: Case, page: int | None = 1,
             per_page: int = CASE_PAGE_SIZE) -> Page:
    """The case's audit trail, newest first, a page at a time."""
    return page_of(session, select(AuditEvent).where(AuditEvent.case_id == case.id)
                   .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), page, per_page)

