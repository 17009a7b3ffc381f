"""One debtor record per real debtor, across cases and creditors.

The same debtor is the one with the same company ID, else the same national ID, else a
shared phone or email and a matching name (``agency.domain.intake.identity.same_debtor``).
A debtor the file identifies by its name only is matched within the creditor's own cases.
Cases stay the creditor's: sharing the debtor record never shows one creditor another's
cases. Works set-based on the staging table ``intake_debtor`` of one chunk.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from agency.domain.intake import names_match
from agency.services.sql import run, run_many

_BY_CASE = """
    UPDATE intake_debtor SET debtor_id = c.debtor_id
    FROM intake_case ic JOIN collection_case c ON c.id = ic.case_id
    WHERE ic.debtor_key = intake_debtor.debtor_key AND intake_debtor.debtor_id IS NULL"""
_BY_COMPANY = """
    UPDATE intake_debtor SET debtor_id = (
        SELECT min(d.id) FROM debtor d WHERE d.company_id = intake_debtor.company_id)
    WHERE debtor_id IS NULL AND company_id IS NOT NULL"""
_BY_NATIONAL_ID = """
    UPDATE intake_debtor SET debtor_id = (
        SELECT min(d.id) FROM debtor d WHERE d.national_id = intake_debtor.national_id
          AND (d.company_id IS NULL OR intake_debtor.company_id IS NULL))
    WHERE debtor_id IS NULL AND national_id IS NOT NULL"""
_BY_NAME_AT_CREDITOR = """
    UPDATE intake_debtor SET debtor_id = (
        SELECT min(d.id) FROM debtor d
        WHERE d.name_key = intake_debtor.name_key AND d.company_id IS NULL
          AND d.national_id IS NULL AND EXISTS (
              SELECT 1 FROM collection_case c WHERE c.debtor_id = d.id AND c.creditor_id = :creditor))
    WHERE debtor_id IS NULL AND company_id IS NULL AND national_id IS NULL"""
_CONTACT_CANDIDATES = """
    SELECT s.debtor_key, s.name, s.company_id, s.national_id, d.id, d.name, d.company_id,
           d.national_id
    FROM intake_debtor s
    JOIN intake_contact ic ON ic.debtor_key = s.debtor_key
    JOIN debtor_phone p ON ic.kind = 'phone' AND p.e164 = ic.value
    JOIN debtor d ON d.id = p.debtor_id
    WHERE s.debtor_id IS NULL
    UNION
    SELECT s.debtor_key, s.name, s.company_id, s.national_id, d.id, d.name, d.company_id,
           d.national_id
    FROM intake_debtor s
    JOIN intake_contact ic ON ic.debtor_key = s.debtor_key
    JOIN debtor_email e ON ic.kind = 'email' AND e.email = ic.value
    JOIN debtor d ON d.id = e.debtor_id
    WHERE s.debtor_id IS NULL"""


def match_debtors(session: Session, creditor_id: int) -> None:
    """Set ``intake_debtor.debtor_id`` for every staged debtor already on record."""
    run(session, _BY_CASE)
    run(session, _BY_COMPANY)
    run(session, _BY_NATIONAL_ID)
    _match_by_contact(session)
    run(session, _BY_NAME_AT_CREDITOR, creditor=creditor_id)


def _match_by_contact(session: Session) -> None:
    """A shared phone or email, a matching name and no conflicting IDs: the same debtor."""
    found: dict[str, int] = {}
    for key, name, company, national, debtor_id, other, other_company, other_national in sorted(
            run(session, _CONTACT_CANDIDATES), key=lambda row: (row[0], row[4])):
        if key in found or not _ids_agree(company, national, other_company, other_national):
            continue
        if names_match(name, other):
            found[key] = debtor_id
    if found:
        run_many(session, "UPDATE intake_debtor SET debtor_id = :debtor WHERE debtor_key = :key",
                 [{"debtor": debtor_id, "key": key} for key, debtor_id in found.items()])


def _ids_agree(company: str | None, national: str | None, other_company: str | None,
               other_national: str | None) -> bool:
    """IDs on both sides decide (``same_debtor``): differing ones mean two debtors."""
    if company and other_company:
        return company == other_company
    if national and other_national:
        return national == other_national
    return True
