"""Intake step: apply the creditor's segmentation rule to the cases the chunk touched,
and write the audit events of the cases it opened or re-segmented; and the same
computation over a creditor's open cases when its rule changes (``resegment_open_cases``).

The basis (see ``agency.domain.segments``): ``annual_billed`` is the debtor's annual billed
amount from the file (kept on the case, so a later file without the column or a rule
change finds it), else the sum of its claims at this creditor dated within the last
12 months (undated claims count); ``balance`` is the case's ledger balance.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from agency.domain.money import Money, MoneyError
from agency.domain.segments import SegmentRule, segment_for
from agency.models import AuditEvent
from agency.services.intake.cases import RunContext
from agency.services.sql import insert_rows, is_postgres, run, run_many

_TOUCHED = """
    SELECT c.id, c.debtor_id, c.segment, max(d.annual_billed), max(coalesce(ic.is_new, 0)),
           c.team_id, c.agent_id, c.annual_billed_minor
    FROM collection_case c JOIN intake_debtor d ON d.debtor_id = c.debtor_id
    LEFT JOIN intake_case ic ON ic.case_id = c.id
    WHERE c.creditor_id = :creditor
    GROUP BY c.id, c.debtor_id, c.segment, c.team_id, c.agent_id, c.annual_billed_minor"""
_OPEN = """
    SELECT c.id, c.debtor_id, c.segment, c.annual_billed_minor FROM collection_case c
    WHERE c.creditor_id = :creditor AND c.status = 'open' ORDER BY c.id"""
# Which debtors' claims and which cases' balances a basis is computed for.
_CHUNK_DEBTORS = "SELECT debtor_id FROM intake_debtor"
_OPEN_DEBTORS = "SELECT debtor_id FROM collection_case WHERE creditor_id = :creditor AND status = 'open'"
_CHUNK_CASES = """SELECT c.id FROM collection_case c JOIN intake_debtor d
                  ON d.debtor_id = c.debtor_id WHERE c.creditor_id = :creditor"""
_OPEN_CASES = "SELECT id FROM collection_case WHERE creditor_id = :creditor AND status = 'open'"
_RECENT_CLAIMS = """
    SELECT c.debtor_id, sum(cl.amount_minor) FROM claim cl
    JOIN collection_case c ON c.id = cl.case_id
    WHERE c.creditor_id = :creditor AND c.debtor_id IN ({debtors})
      AND (coalesce(cl.issue_date, cl.deposit_date, cl.due_date) IS NULL
           OR coalesce(cl.issue_date, cl.deposit_date, cl.due_date) >= :since)
    GROUP BY c.debtor_id"""
_BALANCES = """
    SELECT le.case_id, sum(le.amount_minor) FROM ledger_entry le
    WHERE le.case_id IN ({cases})
    GROUP BY le.case_id"""


@dataclass(frozen=True, slots=True)
class SegmentChange:
    case_id: int
    debtor_id: int
    old: str | None
    new: str | None


def segment_cases(session: Session, ctx: RunContext, rule: SegmentRule | None) -> None:
    """Store each touched case's segment; audit new cases and changed segments."""
    touched = list(run(session, _TOUCHED, creditor=ctx.creditor_id))
    bases = _bases(session, ctx.creditor_id, ctx.today, rule, _CHUNK_DEBTORS, _CHUNK_CASES) \
        if rule else {}
    changed, billed_changed, events = [], [], []
    for case_id, debtor_id, old, billed, is_new, team_id, agent_id, kept in touched:
        if billed is not None and billed != kept:
            billed_changed.append({"value": billed, "id": case_id})
        billed = kept if billed is None else billed
        new = _segment(rule, ctx.currency, billed, bases, case_id, debtor_id) if rule else old
        if new != old:
            changed.append({"value": new, "id": case_id})
        if is_new:
            events.append(_event(ctx, case_id, debtor_id, "case.created",
                                 _created(new, team_id, agent_id)))
        elif new != old:
            events.append(_event(ctx, case_id, debtor_id, "case.changed", {"segment": [old, new]}))
    _store(session, "segment", "text", changed)
    _store(session, "annual_billed_minor", "bigint", billed_changed)
    insert_rows(session, AuditEvent.__table__, events)


def resegment_open_cases(session: Session, *, creditor_id: int, currency: str,
                         rule: SegmentRule | None, today: date) -> list[SegmentChange]:
    """Apply ``rule`` to the creditor's open cases (None: no segment) and store the new
    segments; the cases changed. The caller writes their audit events."""
    cases = list(run(session, _OPEN, creditor=creditor_id))
    bases = _bases(session, creditor_id, today, rule, _OPEN_DEBTORS, _OPEN_CASES) if rule else {}
    changes = []
    for case_id, debtor_id, old, billed in cases:
        new = _segment(rule, currency, billed, bases, case_id, debtor_id) if rule else None
        if new != old:
            changes.append(SegmentChange(case_id, debtor_id, old, new))
    _store(session, "segment", "text", [{"value": c.new, "id": c.case_id} for c in changes])
    return changes


def _store(session: Session, column: str, sql_type: str, changed: list[dict]) -> None:
    """Set ``column`` of the cases in ``changed`` ({"id", "value"} each)."""
    if changed and is_postgres(session):  # one statement, not one per case
        run(session, f"""UPDATE collection_case SET {column} = u.value
            FROM unnest(CAST(:ids AS integer[]), CAST(:values AS {sql_type}[])) AS u(id, value)
            WHERE collection_case.id = u.id""",
            ids=[row["id"] for row in changed], values=[row["value"] for row in changed])
        return
    run_many(session, f"UPDATE collection_case SET {column} = :value WHERE id = :id", changed)


def _bases(session: Session, creditor_id: int, today: date, rule: SegmentRule, debtors: str,
           cases: str) -> dict:
    if rule.basis == "balance":
        return {("case", case_id): int(total) for case_id, total in
                run(session, _BALANCES.format(cases=cases), creditor=creditor_id)}
    since = today - timedelta(days=365)
    return {("debtor", debtor_id): int(total) for debtor_id, total in
            run(session, _RECENT_CLAIMS.format(debtors=debtors), creditor=creditor_id, since=since)}


def _segment(rule: SegmentRule, currency: str, billed: int | None, bases: dict, case_id: int,
             debtor_id: int) -> str | None:
    if rule.basis == "balance":
        amount = bases.get(("case", case_id), 0)
    else:
        amount = billed if billed is not None else bases.get(("debtor", debtor_id), 0)
    try:
        return segment_for(rule, Money(amount, currency))
    except MoneyError:
        return None  # a rule in another currency cannot say: leave the case unsegmented


def _created(segment: str | None, team_id: int | None, agent_id: int | None) -> dict:
    """What the flush listener records for a new case: its audited fields that are set."""
    changes = {"phase": [None, "amicable"], "status": [None, "open"]}
    for name, value in (("segment", segment), ("team_id", team_id), ("agent_id", agent_id)):
        if value is not None:
            changes[name] = [None, value]
    return changes


def _event(ctx: RunContext, case_id: int, debtor_id: int, verb: str, changes: dict) -> dict:
    return {"at": ctx.now, "case_id": case_id, "debtor_id": debtor_id,
            "creditor_id": ctx.creditor_id, "actor_id": ctx.actor_id,
            "actor_label": ctx.actor_label, "verb": verb, "changes": changes,
            "reason": ctx.reason}
