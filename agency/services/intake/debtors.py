"""Intake step: create the chunk's new debtors and add the contact points the file brings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from agency.services.intake.sql import number_rows
from agency.services.sql import run

_NEW_PHONE = """FROM intake_contact c JOIN intake_debtor s ON s.debtor_key = c.debtor_key
    WHERE c.kind = 'phone' AND s.debtor_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM debtor_phone p
        WHERE p.debtor_id = s.debtor_id AND p.e164 = c.value)"""
_NEW_EMAIL = """FROM intake_contact c JOIN intake_debtor s ON s.debtor_key = c.debtor_key
    WHERE c.kind = 'email' AND s.debtor_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM debtor_email e
        WHERE e.debtor_id = s.debtor_id AND e.email = c.value)"""
_NEW_ADDRESS = """FROM intake_debtor s
    WHERE s.address IS NOT NULL AND s.debtor_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM debtor_address a WHERE a.debtor_id = s.debtor_id AND a.line1 = s.address)"""


def create_debtors(session: Session, now: datetime) -> int:
    """Insert a debtor for every staged debtor no match found that a new case needs (a row
    naming another debtor than its known case's adds no debtor); returns how many."""
    number_rows(session, "intake_debtor", "debtor_key", {"debtor_id": "debtor"},
                "debtor_id IS NULL AND debtor_key IN (SELECT debtor_key FROM intake_case "
                "WHERE case_id IS NULL)", "first_line", also="is_new = 1")
    result = run(session, """
        INSERT INTO debtor (id, kind, name, name_key, national_id, company_id, language,
                            country, timezone, created_at)
        SELECT debtor_id, kind, name, name_key, national_id, company_id, 'fr', country, zone, :now
        FROM intake_debtor WHERE is_new = 1""", now=now)
    return result.rowcount


def add_contacts(session: Session) -> None:
    """Add the phones, emails and addresses debtors do not have yet; a known debtor that
    gains one is marked ``contact_added`` (its rows count as updated)."""
    run(session, f"""
        UPDATE intake_debtor SET contact_added = 1 WHERE is_new = 0 AND debtor_key IN (
            SELECT c.debtor_key {_NEW_PHONE} UNION SELECT c.debtor_key {_NEW_EMAIL}
            UNION SELECT s.debtor_key {_NEW_ADDRESS})""")
    run(session, f"""
        INSERT INTO debtor_phone (debtor_id, e164, status, timezone)
        SELECT s.debtor_id, c.value, 'valid', min(c.zone) {_NEW_PHONE}
        GROUP BY s.debtor_id, c.value""")
    run(session, f"""
        INSERT INTO debtor_email (debtor_id, email, status)
        SELECT s.debtor_id, c.value, 'valid' {_NEW_EMAIL} GROUP BY s.debtor_id, c.value""")
    run(session, f"""
        INSERT INTO debtor_address (debtor_id, line1, postal_code, city, country, status)
        SELECT s.debtor_id, s.address, min(s.postal_code), min(s.city), min(s.country), 'valid'
        {_NEW_ADDRESS} GROUP BY s.debtor_id, s.address""")
