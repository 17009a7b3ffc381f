"""Intake steps: find or open the chunk's cases, then insert or update its claims, each
new claim booked as a ``claim`` ledger entry and each changed amount as an ``adjustment``
(entries are never edited), every entry audited like ``ledger.post_entry`` does."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from agency.services.intake import hooks as intake_hooks
from agency.services.intake.sql import number_rows, sequence
from agency.services.sql import dialect, is_postgres, run
from agency.services.references import allocate_references


@dataclass(frozen=True, slots=True)
class RunContext:
    """Who imports what, for whom, when: what every step of a chunk needs."""

    portfolio_id: int
    creditor_id: int
    currency: str
    now: datetime
    today: date
    actor_id: int | None
    actor_label: str
    reason: str
    max_claims_per_case: int | None = None


def match_cases(session: Session, creditor_id: int) -> None:
    """Find the creditor's cases by intake key, else by its reference (cases opened by hand)."""
    run(session, """UPDATE intake_case SET case_id = c.id FROM collection_case c
        WHERE c.creditor_id = :creditor AND c.intake_key = intake_case.case_key""",
        creditor=creditor_id)
    run(session, """UPDATE intake_case SET case_id = c.id FROM collection_case c
        WHERE c.creditor_id = :creditor AND c.external_ref = intake_case.external_ref
          AND c.intake_key IS NULL AND intake_case.case_id IS NULL""", creditor=creditor_id)
    run(session, """UPDATE collection_case SET intake_key = (SELECT ic.case_key FROM intake_case ic
        WHERE ic.case_id = collection_case.id)
        WHERE intake_key IS NULL AND id IN (SELECT case_id FROM intake_case)""")


def create_cases(session: Session, ctx: RunContext) -> int:
    """Open a case (amicable, open) for every staged case not found, its reference in file
    order, assigned to a team and an agent; returns how many."""
    count = session.scalar(text("SELECT count(*) FROM intake_case WHERE case_id IS NULL"))
    if not count:
        return 0
    first = allocate_references(session, ctx.now, count)[0]  # RC-<year>-<serial>
    prefix, serial = first.rsplit("-", 1)
    number = dialect(session).padded(f"n.rank + {int(serial) - 1}", len(serial))
    number_rows(session, "intake_case", "case_key", {"case_id": "collection_case"},
                "case_id IS NULL", "first_line",
                also=f"is_new = 1, reference = :prefix || {number}",
                prefix=f"{prefix}-")
    intake_hooks.assign_staged_cases(session, ctx.creditor_id)
    run(session, """
        INSERT INTO collection_case (id, reference, creditor_id, debtor_id, external_ref, currency,
                                     phase, status, opened_at, intake_key, team_id, agent_id,
                                     portfolio_id)
        SELECT s.case_id, s.reference, :creditor, d.debtor_id, s.external_ref, :currency,
               'amicable', 'open', :now, s.case_key, a.team_id, a.agent_id, :portfolio
        FROM intake_case s JOIN intake_debtor d ON d.debtor_key = s.debtor_key
        LEFT JOIN intake_assign a ON a.case_key = s.case_key
        WHERE s.is_new = 1""", creditor=ctx.creditor_id, currency=ctx.currency, now=ctx.now,
        portfolio=ctx.portfolio_id)
    return count


def match_claims(session: Session, creditor_id: int) -> None:
    """Find existing claims by intake key within the creditor, else by reference in the
    case (claims entered by hand), and flag those the file changes."""
    run(session, f"""UPDATE intake_row SET claim_id = cl.id, old_amount = cl.amount_minor,
            changed = {_changed(session)}
        FROM claim cl JOIN collection_case c ON c.id = cl.case_id
        WHERE c.creditor_id = :creditor AND cl.intake_key = intake_row.claim_key""",
        creditor=creditor_id)
    run(session, f"""UPDATE intake_row SET claim_id = cl.id, old_amount = cl.amount_minor,
            changed = {_changed(session)}
        FROM claim cl JOIN intake_case ic ON ic.case_id = cl.case_id
        WHERE intake_row.claim_id IS NULL AND ic.case_key = intake_row.case_key
          AND cl.intake_key IS NULL AND cl.reference = intake_row.reference""")
    run(session, """UPDATE claim SET intake_key = (SELECT r.claim_key FROM intake_row r
        WHERE r.claim_id = claim.id) WHERE intake_key IS NULL
          AND id IN (SELECT claim_id FROM intake_row WHERE claim_id IS NOT NULL)""")


_NEEDS_ENTRY = "claim_id IS NULL OR (changed = 1 AND amount <> old_amount)"


def number_claims(session: Session) -> None:
    """Flag the rows no claim was found for as new, with the ids of their claim and entry,
    and give the ids of their adjustment entries to the rows changing an amount."""
    if is_postgres(session):  # both in one pass over the rows
        run(session, f"""UPDATE intake_row SET entry_id = n.entry_id,
                claim_id = coalesce(intake_row.claim_id, n.claim_id),
                is_new = CASE WHEN n.claim_id IS NULL THEN intake_row.is_new ELSE 1 END
            FROM (SELECT line, nextval({sequence(session, 'ledger_entry')}::regclass) AS entry_id,
                         CASE WHEN claim_id IS NULL
                              THEN nextval({sequence(session, 'claim')}::regclass) END AS claim_id
                  FROM (SELECT line, claim_id FROM intake_row WHERE {_NEEDS_ENTRY}
                        ORDER BY line) o) n
            WHERE n.line = intake_row.line""")
        return
    number_rows(session, "intake_row", "line", {"entry_id": "ledger_entry"}, _NEEDS_ENTRY, "line")
    number_rows(session, "intake_row", "line", {"claim_id": "claim"}, "claim_id IS NULL", "line",
                also="is_new = 1")


def _changed(session: Session) -> str:
    """SQL: 1 when the staged row differs from the claim ``cl`` in amount, dates or extras."""
    if is_postgres(session):
        differs = "IS DISTINCT FROM"
        extra = "cl.extra::jsonb IS DISTINCT FROM intake_row.extra::jsonb"
    else:
        differs, extra = "IS NOT", "cl.extra IS NOT intake_row.extra"
    dates = " OR ".join(f"cl.{name} {differs} intake_row.{name}"
                        for name in ("issue_date", "deposit_date", "due_date"))
    return f"CASE WHEN cl.amount_minor <> intake_row.amount OR {dates} OR {extra} THEN 1 ELSE 0 END"


def insert_claims(session: Session, ctx: RunContext) -> int:
    """Insert the new claims and book each as a claim entry; returns how many."""
    result = run(session, f"""
        INSERT INTO claim (id, case_id, kind, reference, amount_minor, currency, issue_date,
                           deposit_date, due_date, extra, created_at, intake_key)
        SELECT r.claim_id, ic.case_id, r.kind, r.reference, r.amount, :currency, r.issue_date,
               r.deposit_date, r.due_date, {dialect(session).as_json('r.extra')}, :now, r.claim_key
        FROM intake_row r JOIN intake_case ic ON ic.case_key = r.case_key
        WHERE r.is_new = 1""", currency=ctx.currency, now=ctx.now)
    run(session, """
        INSERT INTO ledger_entry (id, case_id, claim_id, kind, amount_minor, currency, value_date,
                                  booked_at, description, actor_id)
        SELECT r.entry_id, ic.case_id, r.claim_id, 'claim', r.amount, :currency,
               coalesce(r.issue_date, r.deposit_date, :today), :now, r.kind || ' ' || r.reference,
               CAST(:actor AS INTEGER)
        FROM intake_row r JOIN intake_case ic ON ic.case_key = r.case_key WHERE r.is_new = 1""",
        currency=ctx.currency, today=ctx.today, now=ctx.now, actor=ctx.actor_id)
    return result.rowcount


def update_claims(session: Session, ctx: RunContext) -> None:
    """Apply the file's changes to known claims; a new amount books the difference."""
    run(session, """
        INSERT INTO ledger_entry (id, case_id, claim_id, kind, amount_minor, currency, value_date,
                                  booked_at, description, actor_id)
        SELECT r.entry_id, cl.case_id, cl.id, 'adjustment', r.amount - r.old_amount, :currency,
               :today, :now, :reason, CAST(:actor AS INTEGER)
        FROM intake_row r JOIN claim cl ON cl.id = r.claim_id
        WHERE r.changed = 1 AND r.amount <> r.old_amount""",
        currency=ctx.currency, today=ctx.today, now=ctx.now, reason=ctx.reason, actor=ctx.actor_id)
    run(session, f"""UPDATE claim SET amount_minor = r.amount, issue_date = r.issue_date,
            deposit_date = r.deposit_date, due_date = r.due_date,
            extra = {dialect(session).as_json('r.extra')}
        FROM intake_row r WHERE claim.id = r.claim_id AND r.changed = 1""")


def audit_entries(session: Session, ctx: RunContext) -> None:
    """One ``ledger.<kind>`` audit event per entry the chunk booked, as post_entry writes."""
    changes = dialect(session).as_json("""'{"amount_minor": [null, ' || le.amount_minor
        || '], "entry_id": [null, ' || le.id || ']}'""")
    run(session, f"""
        INSERT INTO audit_event (at, case_id, debtor_id, creditor_id, actor_id, actor_label,
                                 verb, changes, reason)
        SELECT :now, le.case_id, c.debtor_id, :creditor, CAST(:actor AS INTEGER), :label, 'ledger.' || le.kind,
               {changes}, :reason
        FROM intake_row r JOIN ledger_entry le ON le.id = r.entry_id
        JOIN collection_case c ON c.id = le.case_id
        WHERE r.entry_id IS NOT NULL""",
        now=ctx.now, creditor=ctx.creditor_id, actor=ctx.actor_id, label=ctx.actor_label,
        reason=ctx.reason)
