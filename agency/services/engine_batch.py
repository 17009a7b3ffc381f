"""One batch of the daily pass, loaded into scratch tables: due cases, unpaid claims,
per-step dates, and which cases take the set-based SQL path.

The SQL path covers what ``schedule.evaluate`` does for a case that never had a hold or
pause, whose claims have every date the playbook counts from, and where no
``previous_step`` step can be dated; every other case goes to the Python path
(``engine_python``), which calls ``evaluate`` itself. Both read the same unpaid amounts.

Unpaid per claim: the sum of the ledger entries naming it (its claim entry, payments,
reversals). A payment without a claim is allocated oldest-first, by effective due date
then id. Fees and interest never enter the clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from agency.services.engine_sql import analyze, dialect, run

CREDIT_KINDS = "('payment', 'write_off', 'refund', 'adjustment')"


@dataclass(frozen=True)
class Batch:
    creditor_id: int
    zone: str
    term: int
    today: date
    now: datetime
    pass_id: str


# The enrolled cases' columns a pass works on; callers add the WHERE that picks them.
_LOAD_TICK_CASES = """
        INSERT INTO tick_case (case_id, debtor_id, agent_id, version_id, seg, zone, currency,
                               route, free_credit, overdue)
        SELECT ce.case_id, c.debtor_id, c.agent_id, ce.version_id,
               CASE WHEN v.has_segments THEN coalesce(c.segment, '') ELSE '' END,
               dt.timezone, c.currency, 'sql', 0, 0
        FROM case_engine ce
        JOIN collection_case c ON c.id = ce.case_id
        JOIN playbook_version v ON v.id = ce.version_id
        JOIN debtor dt ON dt.id = c.debtor_id"""


def select_due(session: Session, batch: Batch, after: int, limit: int) -> list[int]:
    """Load up to ``limit`` due open cases after ``after`` into tick_case; their ids."""
    d = dialect(session)
    lock = " FOR UPDATE OF ce SKIP LOCKED" if d.pg else ""
    run(session, f"""{_LOAD_TICK_CASES}
        WHERE ce.creditor_id = :creditor AND ce.next_step_at <= :today AND ce.case_id > :after
          AND c.id > :after AND c.status = 'open'
        ORDER BY ce.case_id LIMIT :limit{lock}""",
        creditor=batch.creditor_id, today=batch.today, after=after, limit=limit)
    return [row[0] for row in run(session, "SELECT case_id FROM tick_case ORDER BY case_id")]


def select_cases(session: Session, case_ids: list[int]) -> None:
    """Load given enrolled cases into tick_case (for a refresh or a test)."""
    run(session, f"""{_LOAD_TICK_CASES}
        WHERE ce.case_id IN ({', '.join(str(int(i)) for i in case_ids) or 'NULL'})""")


def load_claims(session: Session, batch: Batch) -> None:
    """Unpaid claims of the batch (in the clock), with the dates the clock counts from."""
    d = dialect(session)
    intake, params = d.local_date("cl.created_at", batch.zone, batch.now)
    run(session, f"""
        INSERT INTO tick_claim (claim_id, case_id, owed, unpaid, deposit, eff_due, intake, issue)
        SELECT cl.id, cl.case_id, o.owed, CASE WHEN o.owed > 0 THEN o.owed ELSE 0 END,
               cl.deposit_date,
               coalesce(cl.due_date, {d.add_days('cl.deposit_date', ':term')}),
               {intake}, cl.issue_date
        FROM tick_case k
        JOIN claim cl ON cl.case_id = k.case_id
        JOIN (SELECT le.claim_id, sum(le.amount_minor) AS owed
              FROM tick_case k2 JOIN ledger_entry le ON le.case_id = k2.case_id
              WHERE le.claim_id IS NOT NULL GROUP BY le.claim_id) o ON o.claim_id = cl.id""",
        term=batch.term, **params)
    run(session, f"""
        UPDATE tick_case SET free_credit = x.free, last_payment_on = x.last_paid
        FROM (SELECT le.case_id,
                     -sum(CASE WHEN le.claim_id IS NULL AND le.kind IN {CREDIT_KINDS}
                          THEN le.amount_minor ELSE 0 END) AS free,
                     max(CASE WHEN le.kind = 'payment' AND le.amount_minor < 0
                         THEN le.value_date END) AS last_paid
              FROM tick_case k JOIN ledger_entry le ON le.case_id = k.case_id
              WHERE le.claim_id IS NULL OR le.kind = 'payment'
              GROUP BY le.case_id) x
        WHERE tick_case.case_id = x.case_id""")
    _allocate_free_credit(session)
    run(session, "DELETE FROM tick_claim WHERE unpaid <= 0")
    run(session, """
        UPDATE tick_case SET overdue = x.total
        FROM (SELECT case_id, sum(unpaid) AS total FROM tick_claim WHERE eff_due < :today
              GROUP BY case_id) x
        WHERE tick_case.case_id = x.case_id""", today=batch.today)
    analyze(session, "tick_case", "tick_claim")


def _allocate_free_credit(session: Session) -> None:
    """Payments without a claim pay the oldest claims first."""
    d = dialect(session)
    before = ("coalesce(sum(t.unpaid) OVER (PARTITION BY t.case_id ORDER BY t.eff_due NULLS LAST, "
              "t.claim_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)")
    paid = d.scalar_min("t.unpaid", d.scalar_max("0", f"k.free_credit - {before}"))
    run(session, f"""
        UPDATE tick_claim SET unpaid = x.unpaid
        FROM (SELECT t.claim_id, t.unpaid - {paid} AS unpaid
              FROM tick_claim t JOIN tick_case k ON k.case_id = t.case_id
              WHERE k.free_credit > 0) x
        WHERE tick_claim.claim_id = x.claim_id""")


def route_special_cases(session: Session) -> None:
    """Cases with holds, pauses, another currency or an unknown segment go to Python."""
    run(session, """
        UPDATE tick_case SET route = 'python'
        WHERE currency <> (SELECT v.currency FROM playbook_version v WHERE v.id = tick_case.version_id)
           OR EXISTS (SELECT 1 FROM collection_case c
                      WHERE c.id = tick_case.case_id AND c.hold_until IS NOT NULL)
           OR EXISTS (SELECT 1 FROM engine_hold h WHERE h.case_id = tick_case.case_id)
           OR EXISTS (SELECT 1 FROM engine_hold h WHERE h.debtor_id = tick_case.debtor_id)
           OR EXISTS (SELECT 1 FROM payment_promise p WHERE p.case_id = tick_case.case_id)
           OR EXISTS (SELECT 1 FROM dispute p WHERE p.case_id = tick_case.case_id)
           OR EXISTS (SELECT 1 FROM instalment_plan p WHERE p.case_id = tick_case.case_id
                      AND (p.status IN ('active', 'completed', 'broken') OR p.signed_at IS NOT NULL))
           OR NOT EXISTS (SELECT 1 FROM playbook_step ps
                          WHERE ps.version_id = tick_case.version_id AND ps.segment = tick_case.seg)""")


def step_dates(session: Session, batch: Batch) -> None:
    """Per case and step counted from claim dates: the earliest claim's date; and the
    current step (the most advanced reached). Missing dates send the case to Python."""
    d = dialect(session)
    ref = d.greatest("CASE WHEN ps.ref_deposit THEN t.deposit END",
                     "CASE WHEN ps.ref_due THEN t.eff_due END",
                     "CASE WHEN ps.ref_intake THEN t.intake END",
                     "CASE WHEN ps.ref_issue THEN t.issue END")
    due = d.add_offset(ref, "ps.offset_days", "ps.offset_months")
    run(session, f"""
        INSERT INTO tick_step (case_id, step_id, rank, code, min_due, missing)
        SELECT t.case_id, ps.id, ps.rank, ps.code, min({due}),
               max(CASE WHEN (ps.ref_deposit AND t.deposit IS NULL) OR (ps.ref_due AND t.eff_due IS NULL)
                          OR (ps.ref_intake AND t.intake IS NULL) OR (ps.ref_issue AND t.issue IS NULL)
                   THEN 1 ELSE 0 END)
        FROM tick_claim t
        JOIN tick_case k ON k.case_id = t.case_id AND k.route = 'sql'
        JOIN playbook_step ps ON ps.version_id = k.version_id AND ps.segment = k.seg
                             AND ps.previous_code IS NULL
        GROUP BY t.case_id, ps.id, ps.rank, ps.code""")
    analyze(session, "tick_step")
    run(session, """UPDATE tick_case SET route = 'python'
                    WHERE case_id IN (SELECT case_id FROM tick_step WHERE missing = 1)""")
    # The most advanced step reached (ranks are unique within a case's steps).
    reached = ("SELECT DISTINCT ON (case_id) case_id, rank AS r, code FROM tick_step "
               "WHERE min_due <= :today ORDER BY case_id, rank DESC") if d.pg else (
        # SQLite takes the bare column `code` from the row holding max(rank)
        "SELECT case_id, max(rank) AS r, code FROM tick_step WHERE min_due <= :today "
        "GROUP BY case_id")
    run(session, f"""
        UPDATE tick_case SET current_rank = x.r, current_code = x.code
        FROM ({reached}) x
        WHERE tick_case.case_id = x.case_id""", today=batch.today)
    _route_previous_step_cases(session)


def _route_previous_step_cases(session: Session) -> None:
    """A step counting from the previous one's completion is dated by Python: once that
    previous step is recorded, or when it is reached (it may complete in this pass)."""
    run(session, """
        UPDATE tick_case SET route = 'python'
        WHERE route = 'sql' AND EXISTS (
            SELECT 1 FROM playbook_step ps
            WHERE ps.version_id = tick_case.version_id AND ps.segment = tick_case.seg
              AND ps.previous_code IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM case_step cs
                              WHERE cs.case_id = tick_case.case_id AND cs.step_code = ps.code)
              AND (ps.rank - 1 <= coalesce(tick_case.current_rank, -1)
                   OR EXISTS (SELECT 1 FROM case_step cs WHERE cs.case_id = tick_case.case_id
                              AND cs.step_code = ps.previous_code)))""")


def python_case_ids(session: Session) -> list[int]:
    return [row[0] for row in run(
        session, "SELECT case_id FROM tick_case WHERE route = 'python' ORDER BY case_id")]


def set_due_instants(session: Session, instants: dict[str, datetime]) -> None:
    """Each case's actions fall due at 08:00 in its debtor's zone (one instant per zone)."""
    if not instants:
        return
    cases = " ".join(f"WHEN :z{i} THEN :t{i}" for i in range(len(instants)))
    params = {}
    for i, (zone, instant) in enumerate(instants.items()):
        params[f"z{i}"], params[f"t{i}"] = zone, instant
    run(session, f"UPDATE tick_case SET due_at = CASE zone {cases} END", **params)


def batch_zones(session: Session) -> list[str]:
    return [row[0] for row in run(session, "SELECT DISTINCT zone FROM tick_case")]
