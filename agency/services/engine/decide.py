"""The SQL path's decisions and writes, the rules of ``schedule.evaluate`` as set operations.

For each unrecorded step up to the current one: not reached -> skipped (superseded); the
current one fires if its condition holds, else waits; an earlier one is skipped
(condition_not_met), fires (catch_up: all) or is skipped (catch_up). Then records,
actions (only for the records this pass inserted: a concurrent twin inserts nothing),
and each case's next_step_at, as evaluate's ``wake_on``.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from agency.models.base import sql_in
from agency.models.calls import CALL_KINDS
from agency.services.engine.batch import Batch
from agency.services.sql import Dialect, analyze, dialect, run


def condition_met(d: Dialect, row: str) -> str:
    """SQL for "the condition in columns of ``row`` holds" (no pauses on the SQL path)."""
    since = d.add_days("k.last_payment_on", f"{row}.no_payment_since_days")
    return (f"({row}.overdue_above_minor IS NULL OR k.overdue > {row}.overdue_above_minor)"
            f" AND ({row}.no_payment_since_days IS NULL OR k.last_payment_on IS NULL"
            f" OR {since} <= :today)"
            f" AND NOT {row}.promise_broken AND NOT {row}.plan_broken")


def decide(session: Session, batch: Batch) -> None:
    d = dialect(session)
    met = condition_met(d, "ps")
    run(session, f"""
        INSERT INTO tick_decision (case_id, step_id, code, rank, due_on, outcome, reason)
        SELECT s.case_id, s.step_id, s.code, s.rank, s.min_due,
               CASE WHEN s.min_due IS NULL OR s.min_due > :today THEN 'skip'
                    WHEN s.rank = k.current_rank AND {met} THEN 'fire'
                    WHEN s.rank = k.current_rank THEN 'wait'
                    WHEN NOT ({met}) THEN 'skip'
                    WHEN v.catch_up = 'all' THEN 'fire' ELSE 'skip' END,
               CASE WHEN s.min_due IS NULL OR s.min_due > :today THEN 'superseded'
                    WHEN s.rank = k.current_rank THEN NULL
                    WHEN NOT ({met}) THEN 'condition_not_met'
                    WHEN v.catch_up = 'all' THEN NULL ELSE 'catch_up' END
        FROM tick_step s
        JOIN tick_case k ON k.case_id = s.case_id AND k.route = 'sql'
        JOIN playbook_step ps ON ps.id = s.step_id
        JOIN playbook_version v ON v.id = k.version_id
        WHERE s.rank <= k.current_rank""",
        today=batch.today)
    due = d.add_offset(d.greatest("CASE WHEN ps.ref_deposit THEN t.deposit END",
                                  "CASE WHEN ps.ref_due THEN t.eff_due END",
                                  "CASE WHEN ps.ref_intake THEN t.intake END",
                                  "CASE WHEN ps.ref_issue THEN t.issue END"),
                       "ps.offset_days", "ps.offset_months")
    # The claims each fired step names (those that reached it), as the action's JSON list.
    run(session, f"""
        UPDATE tick_decision SET claim_ids = x.ids
        FROM (SELECT f.case_id, f.code, {d.json_ids('f.claim_id')} AS ids
              FROM (SELECT dc.case_id, dc.code, t.claim_id
                    FROM tick_decision dc
                    JOIN tick_claim t ON t.case_id = dc.case_id
                    JOIN playbook_step ps ON ps.id = dc.step_id
                    WHERE dc.outcome = 'fire' AND {due} <= :today
                    ORDER BY dc.case_id, dc.code, t.claim_id) f
              GROUP BY f.case_id, f.code) x
        WHERE tick_decision.case_id = x.case_id AND tick_decision.code = x.code""",
        today=batch.today)
    analyze(session, "tick_decision")


def record_decisions(session: Session, batch: Batch) -> None:
    run(session, """
        INSERT INTO case_step (case_id, step_code, version_id, status, reason, due_on, on_date,
                               pass_id, created_at)
        SELECT dc.case_id, dc.code, k.version_id,
               CASE WHEN dc.outcome = 'fire' THEN 'pending' ELSE 'skipped' END,
               dc.reason, dc.due_on, :today, :pass, :now
        FROM tick_decision dc JOIN tick_case k ON k.case_id = dc.case_id
        WHERE dc.outcome IN ('fire', 'skip')
        ORDER BY dc.case_id, dc.rank
        ON CONFLICT (case_id, step_code) DO NOTHING""",
        today=batch.today, now=batch.now, **{"pass": batch.pass_id})


def create_actions(session: Session, batch: Batch, approval_rules: dict[str, str]) -> dict[str, int]:
    """The fired steps' actions whose own condition holds, as ``action`` rows; their counts."""
    d = dialect(session)
    approver = approver_sql(approval_rules)
    made = run(session, f"""
        INSERT INTO action (case_id, kind, template, step_code, playbook_version, due_at, status,
                            approval, approver_role, assignee_role, assignee_id, claim_ids,
                            label, step_action_id, created_at)
        SELECT cs.case_id, a.kind, a.template, cs.step_code, v.version, k.due_at,
               CASE WHEN {approver} IS NOT NULL THEN 'waiting_approval'
                    WHEN k.due_at <= :now THEN 'due' ELSE 'planned' END,
               CASE WHEN {approver} IS NOT NULL THEN 'pending' ELSE 'none' END,
               {approver}, a.assignee_role,
               CASE WHEN {follows_agent_sql('a')} THEN k.agent_id END,
               dc.claim_ids,
               a.label, a.id, :now
        FROM case_step cs
        JOIN tick_decision dc ON dc.case_id = cs.case_id AND dc.code = cs.step_code
                             AND dc.outcome = 'fire'
        JOIN tick_case k ON k.case_id = cs.case_id
        JOIN playbook_version v ON v.id = k.version_id
        JOIN playbook_step_action a ON a.step_id = dc.step_id
        WHERE cs.pass_id = :pass AND cs.status = 'pending' AND {condition_met(d, 'a')}
        ORDER BY cs.case_id, dc.rank, a.position
        RETURNING approval""",
        now=batch.now, today=batch.today, **{"pass": batch.pass_id}).scalars().all()
    return {"actions_created": len(made),
            "waiting_approval": sum(1 for approval in made if approval == "pending")}


def record_skipped_actions(session: Session, batch: Batch) -> None:
    """A skipped step's actions are listed too, as skipped, with the reason as outcome."""
    run(session, """
        INSERT INTO action (case_id, kind, template, step_code, playbook_version, due_at, status,
                            approval, assignee_role, claim_ids, label, step_action_id, outcome,
                            created_at)
        SELECT cs.case_id, a.kind, a.template, cs.step_code, v.version, k.due_at, 'skipped',
               'none', a.assignee_role, '[]', a.label, a.id, cs.reason, :now
        FROM case_step cs
        JOIN tick_decision dc ON dc.case_id = cs.case_id AND dc.code = cs.step_code
                             AND dc.outcome = 'skip'
        JOIN tick_case k ON k.case_id = cs.case_id
        JOIN playbook_version v ON v.id = k.version_id
        JOIN playbook_step_action a ON a.step_id = dc.step_id
        WHERE cs.pass_id = :pass AND cs.status = 'skipped'
        ORDER BY cs.case_id, dc.rank, a.position""", now=batch.now, **{"pass": batch.pass_id})


# The collection officer's actions are assigned to the case's agent when made, but for calls:
# they follow the case's agent (the call queue reads them through the agent's cases, and a
# reassigned case takes them along); an assignee on a call means a colleague of the pair
# (counter-call, call-back), which the queue reads by index.
AGENT_ROLE = "collection_officer"


def follows_agent(kind: str, assignee_role: str | None) -> bool:
    """Whether an action is assigned to the case's agent when made."""
    return assignee_role == AGENT_ROLE and kind not in CALL_KINDS


def follows_agent_sql(action: str) -> str:
    return f"({action}.assignee_role = '{AGENT_ROLE}' AND {action}.kind NOT IN {sql_in(CALL_KINDS)})"


def approver_sql(rules: dict[str, str]) -> str:
    """The approver of an action: the playbook's, else the creditor's contract rule for its kind."""
    branches = " ".join(f"WHEN '{kind}' THEN '{role}'" for kind, role in sorted(rules.items()))
    return f"coalesce(a.approver_role, CASE a.kind {branches} END)" if branches else "a.approver_role"


def set_next_steps(session: Session, batch: Batch) -> None:
    """next_step_at: the earliest unrecorded later step, or when a waiting condition may hold."""
    d = dialect(session)
    run(session, """
        UPDATE tick_case SET next_on = x.next_on
        FROM (SELECT s.case_id, min(s.min_due) AS next_on
              FROM tick_step s JOIN tick_case k ON k.case_id = s.case_id AND k.route = 'sql'
              WHERE s.rank > coalesce(k.current_rank, -1)
              GROUP BY s.case_id) x
        WHERE tick_case.case_id = x.case_id""")
    # A step counting from one closed in this pass is dated from today on (see _outlook).
    after_closed = d.add_offset(d.greatest(":today", "dc.due_on"), "ps.offset_days",
                                "ps.offset_months")
    run(session, f"""
        UPDATE tick_case SET next_on = {d.least('tick_case.next_on', 'x.next_on')}
        FROM (SELECT s.case_id, min({after_closed}) AS next_on
              FROM tick_step s
              JOIN playbook_step ps ON ps.id = s.step_id AND ps.previous_code IS NOT NULL
              JOIN tick_decision dc ON dc.case_id = s.case_id AND dc.rank = s.rank - 1
                                   AND dc.outcome IN ('fire', 'skip') AND dc.due_on IS NOT NULL
              WHERE s.min_due IS NULL
              GROUP BY s.case_id) x
        WHERE tick_case.case_id = x.case_id""", today=batch.today)
    falls_due = f"""(SELECT min({d.add_days('t.eff_due', '1')}) FROM tick_claim t
                     WHERE t.case_id = tick_case.case_id AND ps.overdue_above_minor IS NOT NULL
                       AND t.eff_due >= :today)"""
    since = d.add_days("tick_case.last_payment_on", "ps.no_payment_since_days")
    unpaid_long = (f"(CASE WHEN ps.no_payment_since_days IS NOT NULL AND {since} > :today "
                   f"THEN {since} END)")
    run(session, f"""
        UPDATE tick_case SET waiting_code = dc.code,
               next_on = {d.least('tick_case.next_on', falls_due, unpaid_long)}
        FROM tick_decision dc JOIN playbook_step ps ON ps.id = dc.step_id
        WHERE dc.case_id = tick_case.case_id AND dc.outcome = 'wait'""", today=batch.today)
    run(session, """
        UPDATE case_engine SET next_step_at = k.next_on, current_step = k.current_code,
               waiting_step = k.waiting_code, state = 'active', last_error = NULL,
               updated_at = :now
        FROM tick_case k
        WHERE case_engine.case_id = k.case_id AND k.route = 'sql'
          -- true of every case of the batch (selected so, and locked): lets the planner read
          -- only the due rows through the (creditor_id, next_step_at) index
          AND case_engine.creditor_id = :creditor AND case_engine.next_step_at <= :today""",
        now=batch.now, creditor=batch.creditor_id, today=batch.today)


def sql_path(session: Session, batch: Batch, approval_rules: dict[str, str]) -> dict[str, int]:
    """Decide and write the batch's SQL-path cases; the counts of actions made."""
    decide(session, batch)
    record_decisions(session, batch)
    counts = create_actions(session, batch, approval_rules)
    record_skipped_actions(session, batch)
    set_next_steps(session, batch)
    return counts
