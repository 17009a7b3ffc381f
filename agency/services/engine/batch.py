"""One batch of the daily pass, loaded into scratch tables: due cases, unpaid claims,
per-step dates, and which cases take the set-based SQL path.

The SQL path covers what ``schedule.evaluate`` does for a case that never had a hold or
pause and whose claims have every date the playbook counts from, ``previous_step`` steps
included (dated from the previous step's completion), unless such a step falls due today
(it names the claims that reached it on their own dates); every other case goes to the
Python path (``engine_python``), which calls ``evaluate`` itself. Both read the same
unpaid amounts. A case's step records are read once, as a bit mask of their ranks.

Unpaid per claim: the sum of the ledger entries naming it (its claim entry, payments,
reversals). A payment without a claim is allocated oldest-first, by effective due date
then id. Fees and interest never enter the clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from agency.domain.playbook.case import COMPLETED_STATUSES
from agency.models.base import sql_in
from agency.services.actions import cancel_open_actions
from agency.services.sql import analyze, dialect, run

CREDIT_KINDS = sql_in(("payment", "write_off", "refund", "adjustment"))
COMPLETED = sql_in(COMPLETED_STATUSES)


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
                               route, free_credit, overdue, recorded)
        SELECT ce.case_id, c.debtor_id, c.agent_id, ce.version_id,
               CASE WHEN v.has_segments THEN coalesce(c.segment, '') ELSE '' END,
               dt.timezone, c.currency, CASE WHEN c.status = 'open' THEN 'sql' ELSE 'closed' END,
               0, 0, 0
        FROM case_engine ce
        JOIN collection_case c ON c.id = ce.case_id
        JOIN playbook_version v ON v.id = ce.version_id
        JOIN debtor dt ON dt.id = c.debtor_id"""


def select_due(session: Session, batch: Batch, after: int, limit: int) -> list[int]:
    """Load up to ``limit`` due cases after ``after`` into tick_case; their ids. A paid or
    closed one leaves the pass here (read with the others: no scan of its own)."""
    d = dialect(session)
    lock = " FOR UPDATE OF ce SKIP LOCKED" if d.pg else ""
    run(session, f"""{_LOAD_TICK_CASES}
        WHERE ce.creditor_id = :creditor AND ce.next_step_at <= :today AND ce.case_id > :after
          AND c.id > :after
        ORDER BY ce.case_id LIMIT :limit{lock}""",
        creditor=batch.creditor_id, today=batch.today, after=after, limit=limit)
    ids = [row[0] for row in run(session, "SELECT case_id FROM tick_case ORDER BY case_id")]
    _cancel_closed_cases_actions(session)
    run(session, """
        UPDATE case_engine SET next_step_at = NULL, state = 'stopped', updated_at = :now
        WHERE case_id IN (SELECT case_id FROM tick_case WHERE route = 'closed')""", now=batch.now)
    run(session, "DELETE FROM tick_case WHERE route = 'closed'")
    return ids


def _cancel_closed_cases_actions(session: Session) -> None:
    """A paid or closed case keeps no open action, whichever path ended it."""
    ended = run(session, """SELECT c.id, c.status FROM tick_case k
                            JOIN collection_case c ON c.id = k.case_id
                            WHERE k.route = 'closed'""").all()
    for status in sorted({row[1] for row in ended}):
        cancel_open_actions(session, [row[0] for row in ended if row[1] == status],
                            outcome=f"case_{status}", reason=f"case {status}")


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


# A step's references as a number (1 deposit, 2 due, 4 intake, 8 issue): the steps that
# count from the same dates share one earliest date per case (tick_ref).
def ref_combo(step: str) -> str:
    return (f"(CASE WHEN {step}.ref_deposit THEN 1 ELSE 0 END + CASE WHEN {step}.ref_due THEN 2 ELSE 0 END"
            f" + CASE WHEN {step}.ref_intake THEN 4 ELSE 0 END"
            f" + CASE WHEN {step}.ref_issue THEN 8 ELSE 0 END)")


MAX_RANK = 62  # the recorded steps of a case are a bit mask in a BIGINT


def step_dates(session: Session, batch: Batch) -> None:
    """Per case and step counted from claim dates: the earliest claim's date; and the
    current step (the most advanced reached). Missing dates send the case to Python.

    A step's date for a claim is its offset after the latest of its reference dates;
    offsets only move dates forward, so the earliest claim per case and set of references
    gives the step's earliest date: one row per case and set (tick_ref), not per claim
    and step."""
    d = dialect(session)
    latest = d.greatest("CASE WHEN r.ref_deposit THEN t.deposit END",
                        "CASE WHEN r.ref_due THEN t.eff_due END",
                        "CASE WHEN r.ref_intake THEN t.intake END",
                        "CASE WHEN r.ref_issue THEN t.issue END")
    run(session, f"""
        INSERT INTO tick_ref (case_id, combo, first_on, missing)
        SELECT t.case_id, r.combo, min({latest}),
               max(CASE WHEN (r.ref_deposit AND t.deposit IS NULL) OR (r.ref_due AND t.eff_due IS NULL)
                          OR (r.ref_intake AND t.intake IS NULL) OR (r.ref_issue AND t.issue IS NULL)
                   THEN 1 ELSE 0 END)
        FROM tick_claim t
        JOIN tick_case k ON k.case_id = t.case_id AND k.route = 'sql'
        JOIN (SELECT DISTINCT ps.version_id, ps.segment, {ref_combo('ps')} AS combo, ps.ref_deposit,
                     ps.ref_due, ps.ref_intake, ps.ref_issue
              FROM playbook_step ps WHERE ps.previous_code IS NULL) r
          ON r.version_id = k.version_id AND r.segment = k.seg
        GROUP BY t.case_id, r.combo""")
    analyze(session, "tick_ref")
    run(session, """UPDATE tick_case SET route = 'python'
                    WHERE case_id IN (SELECT case_id FROM tick_ref WHERE missing = 1)""")
    _recorded_steps(session)
    due = d.add_offset("r.first_on", "ps.offset_days", "ps.offset_months")
    run(session, f"""
        INSERT INTO tick_step (case_id, step_id, rank, code, min_due, recorded)
        SELECT k.case_id, ps.id, ps.rank, ps.code, {due}, {recorded('k', 'ps')}
        FROM tick_case k
        JOIN playbook_step ps ON ps.version_id = k.version_id AND ps.segment = k.seg
                             AND ps.previous_code IS NULL
        JOIN tick_ref r ON r.case_id = k.case_id AND r.combo = {ref_combo('ps')}
        WHERE k.route = 'sql'""")
    _previous_step_dates(session)
    analyze(session, "tick_step")
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
    # Only the unrecorded steps matter from here on.
    run(session, "DELETE FROM tick_step WHERE recorded = 1")
    _route_previous_step_cases(session, batch.today)


def recorded(case: str, step: str, rank: str = "rank") -> str:
    """1 when the case has a record of the step (its bit in the case's mask), else 0."""
    return f"((({case}.recorded >> ({step}.{rank})) & 1))"


def _recorded_steps(session: Session) -> None:
    """Each case's recorded steps as a bit mask of their ranks: one read of its records
    instead of a look-up per case and step."""
    run(session, f"""
        UPDATE tick_case SET route = 'python'
        WHERE route = 'sql' AND EXISTS (SELECT 1 FROM playbook_step ps
                                        WHERE ps.version_id = tick_case.version_id
                                          AND ps.rank > {MAX_RANK})""")
    # Per case, an index-only read of its records (case_id, step_code).
    run(session, """
        UPDATE tick_case SET recorded = coalesce(
            (SELECT sum(CAST(1 AS BIGINT) << ps.rank)
             FROM case_step cs
             JOIN playbook_step ps ON ps.version_id = tick_case.version_id
                                  AND ps.segment = tick_case.seg AND ps.code = cs.step_code
             WHERE cs.case_id = tick_case.case_id), 0)
        WHERE route = 'sql'""")


def _previous_step_dates(session: Session) -> None:
    """Steps counting from the previous one's completion: dated once that one is completed
    (done, skipped, cancelled), from the later of that day and the case's earliest date
    for it; undated (null) before. Rank by rank, so a chain of them is dated in order."""
    d = dialect(session)
    ranks = [row[0] for row in run(session, """
        SELECT DISTINCT ps.rank FROM playbook_step ps
        WHERE ps.previous_code IS NOT NULL
          AND ps.version_id IN (SELECT DISTINCT version_id FROM tick_case)
        ORDER BY ps.rank""")]
    # The previous step's completion day, read only for the cases that recorded it.
    done_on = f"""CASE WHEN {recorded('k', 'ps', 'rank - 1')} = 1 THEN
                  (SELECT cs.on_date FROM case_step cs
                   WHERE cs.case_id = k.case_id AND cs.step_code = ps.previous_code
                     AND cs.status IN {COMPLETED}) END"""
    due = d.add_offset(d.greatest("x.done_on", "x.prev_due"), "x.offset_days", "x.offset_months")
    for rank in ranks:
        run(session, f"""
            INSERT INTO tick_step (case_id, step_id, rank, code, min_due, recorded)
            SELECT x.case_id, x.step_id, x.rank, x.code,
                   CASE WHEN x.done_on IS NOT NULL AND x.prev_due IS NOT NULL THEN {due} END,
                   x.recorded
            FROM (SELECT k.case_id, ps.id AS step_id, ps.rank, ps.code, ps.offset_days,
                         ps.offset_months, p.min_due AS prev_due, {done_on} AS done_on,
                         {recorded('k', 'ps')} AS recorded
                  FROM tick_case k
                  JOIN playbook_step ps ON ps.version_id = k.version_id AND ps.segment = k.seg
                                       AND ps.previous_code IS NOT NULL AND ps.rank = :rank
                  JOIN tick_step p ON p.case_id = k.case_id AND p.rank = :previous
                  WHERE k.route = 'sql') x""", rank=rank, previous=rank - 1)


def _route_previous_step_cases(session: Session, today: date) -> None:
    """A step counting from the previous one's completion that is due today fires with the
    claims that reached it on their own dates: Python dates those."""
    run(session, """
        UPDATE tick_case SET route = 'python'
        WHERE route = 'sql' AND EXISTS (
            SELECT 1 FROM tick_step s JOIN playbook_step ps ON ps.id = s.step_id
            WHERE s.case_id = tick_case.case_id AND ps.previous_code IS NOT NULL
              AND s.min_due <= :today)""", today=today)


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
