"""The pass's Python path: cases with holds, pauses, steps counting from the previous
one, or faults. Each is handed to ``schedule.evaluate`` (the reference rules) with its
full hold and pause history; the results are written in bulk, like the SQL path's.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from agency.domain.playbook.case import (
    CaseState, Claim, Hold, Pause, ScheduleError, StepRecord,
)
from agency.domain.playbook.model import Playbook
from agency.domain.playbook.schedule import Evaluation, evaluate
from agency.domain.timezones import local_date
from agency.models import Action, Case, Dispute, InstalmentPlan, PaymentPromise
from agency.models.playbook import CaseEngine, CaseStep, EngineHold, PlaybookStep
from agency.services.engine.batch import Batch
from agency.services.engine.decide import follows_agent
from agency.services.sql import as_date, run, run_many
from agency.services.engine.playbooks import playbook_of


def load_states(session: Session, batch: Batch, case_ids: list[int]) -> dict[int, CaseState]:
    """The CaseState of each case, as evaluate reads it (claims from tick_claim)."""
    claims: dict[int, list[Claim]] = defaultdict(list)
    for row in run(session, f"""SELECT case_id, claim_id, unpaid, deposit, eff_due, intake, issue
                                FROM tick_claim WHERE case_id IN ({_ids(case_ids)})
                                ORDER BY case_id, claim_id"""):
        claims[row[0]].append(Claim(row[1], int(row[2]), deposit_date=as_date(row[3]),
                                    due_date=as_date(row[4]), intake_date=as_date(row[5]),
                                    issue_date=as_date(row[6])))
    facts = {row[0]: row[1:] for row in run(session, f"""
        SELECT k.case_id, c.segment, c.currency, k.last_payment_on, c.debtor_id, c.hold_until
        FROM tick_case k JOIN collection_case c ON c.id = k.case_id
        WHERE k.case_id IN ({_ids(case_ids)})""")}
    records = _records(session, case_ids)
    holds = _holds(session, batch, {cid: f[3] for cid, f in facts.items()}, facts)
    pauses = pauses_of(session, case_ids, batch.zone)
    return {cid: CaseState(segment=f[0], claims=tuple(claims[cid]), records=tuple(records[cid]),
                           holds=tuple(holds[cid]), pauses=tuple(pauses[cid]),
                           last_payment_on=as_date(f[2]), currency=f[1],
                           payment_term_days=batch.term)
            for cid, f in facts.items()}


def _playbook(version) -> Playbook:
    """playbook_of, without re-serialising the definition for every case of a batch."""
    key = (version.id, version.checksum, version.version)
    if key not in _PLAYBOOKS:
        if len(_PLAYBOOKS) > 256:
            _PLAYBOOKS.clear()
        _PLAYBOOKS[key] = playbook_of(version)
    return _PLAYBOOKS[key]


_PLAYBOOKS: dict[tuple, Playbook] = {}


def _ids(case_ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in case_ids) or "NULL"


def _records(session: Session, case_ids: list[int]) -> dict[int, list[StepRecord]]:
    records: dict[int, list[StepRecord]] = defaultdict(list)
    for row in session.execute(select(CaseStep.case_id, CaseStep.step_code, CaseStep.status,
                                      CaseStep.on_date).where(CaseStep.case_id.in_(case_ids))):
        records[row[0]].append(StepRecord(row[1], row[2], row[3]))
    return records


def _holds(session: Session, batch: Batch, debtors: dict[int, int], facts: dict) -> dict[int, list[Hold]]:
    """Derogations of each case and of its debtor (all its cases)."""
    holds: dict[int, list[Hold]] = defaultdict(list)
    by_debtor = defaultdict(list)
    for case_id, debtor_id in debtors.items():
        by_debtor[debtor_id].append(case_id)
    rows = session.scalars(select(EngineHold).where(
        EngineHold.case_id.in_(list(debtors)) | EngineHold.debtor_id.in_(list(by_debtor))))
    for hold in rows:
        targets = [hold.case_id] if hold.case_id is not None else by_debtor[hold.debtor_id]
        for case_id in targets:
            holds[case_id].append(Hold(hold.start_on, hold.last_day, hold.reason))
    for case_id, fact in facts.items():
        until = as_date(fact[4])
        if until is not None and not any(h.until == until for h in holds[case_id]):
            # A hold set outside the engine's service: held from today on.
            holds[case_id].append(Hold(min(batch.today, until), until))
    return holds


def pauses_of(session: Session, case_ids: list[int], zone: str) -> dict[int, list[Pause]]:
    """Promises, signed plans and disputes as pauses; dates in the creditor's zone."""
    pauses: dict[int, list[Pause]] = defaultdict(list)

    def day(instant: datetime | None) -> date | None:
        return None if instant is None else local_date(instant, zone)
    for p in session.scalars(select(PaymentPromise).where(PaymentPromise.case_id.in_(case_ids))):
        end = day(p.resolved_at) if p.status != "open" else None
        pauses[p.case_id].append(Pause("promise", day(p.created_at), end, p.status == "broken"))
    for p in session.scalars(select(InstalmentPlan).where(InstalmentPlan.case_id.in_(case_ids))):
        if p.status in ("active", "completed", "broken") or p.signed_at is not None:
            start = day(p.signed_at or p.created_at)
            end = None if p.status == "active" else (day(p.ended_at) or start)
            pauses[p.case_id].append(Pause("plan", start, end, p.status == "broken"))
    for p in session.scalars(select(Dispute).where(Dispute.case_id.in_(case_ids))):
        end = day(p.resolved_at) if p.status != "open" else None
        pauses[p.case_id].append(Pause("dispute", day(p.created_at), end))
    return pauses


def python_path(session: Session, batch: Batch, case_ids: list[int],
                approval_rules: dict[str, str], due_at: dict[str, datetime]) -> dict[str, int]:
    """Evaluate each case and write its records, actions and next_step_at."""
    counts = {"held": 0, "errors": 0, "actions_created": 0, "waiting_approval": 0}
    if not case_ids:
        return counts
    states = load_states(session, batch, case_ids)
    cases = _case_rows(session, case_ids)
    results: dict[int, Evaluation] = {}
    for case_id, state in states.items():
        engine = cases[case_id][0]
        try:
            results[case_id] = evaluate(_playbook(engine.playbook_version), state, batch.today)
        except ScheduleError as exc:
            counts["errors"] += 1
            _set_engine(session, engine, batch, state="error", error=str(exc))
    _write_records(session, batch, cases, results)
    counts |= _write_actions(session, batch, cases, results, approval_rules, due_at)
    for result in results.values():
        counts["held"] += result.held
    _set_engines(session, batch, results)
    return counts


def _case_rows(session: Session, case_ids: list[int]) -> dict[int, tuple[CaseEngine, object]]:
    """Each case's engine row, and the few case columns the actions need."""
    facts = {row.id: row for row in session.execute(
        select(Case.id, Case.agent_id, Case.segment).where(Case.id.in_(case_ids)))}
    engines = session.scalars(select(CaseEngine).options(selectinload(CaseEngine.playbook_version))
                              .where(CaseEngine.case_id.in_(case_ids)))
    return {engine.case_id: (engine, facts[engine.case_id]) for engine in engines}


def _write_records(session: Session, batch: Batch, cases: dict, results: dict) -> None:
    rows = []
    for case_id, result in results.items():
        version_id = cases[case_id][0].version_id
        rows += [dict(case_id=case_id, code=due.code, version_id=version_id, status="pending",
                      reason=None, due_on=due.due_on) for due in result.fire]
        rows += [dict(case_id=case_id, code=skip.code, version_id=version_id, status="skipped",
                      reason=skip.reason, due_on=None) for skip in result.skip]
    if rows:
        run_many(session, """
            INSERT INTO case_step (case_id, step_code, version_id, status, reason, due_on,
                                   on_date, pass_id, created_at)
            VALUES (:case_id, :code, :version_id, :status, :reason, :due_on, :today, :pass, :now)
            ON CONFLICT (case_id, step_code) DO NOTHING""",
            [row | {"today": batch.today, "now": batch.now, "pass": batch.pass_id} for row in rows])


def _write_actions(session: Session, batch: Batch, cases: dict, results: dict,
                   approval_rules: dict[str, str], due_at: dict[str, datetime]) -> dict[str, int]:
    mine = set(session.execute(select(CaseStep.case_id, CaseStep.step_code).where(
        CaseStep.pass_id == batch.pass_id, CaseStep.case_id.in_(list(results)))).all())
    steps = _step_rows(session, {cases[cid][0].version_id for cid in results})
    zones = dict(run(session, f"SELECT case_id, zone FROM tick_case WHERE case_id IN ({_ids(list(results))})").all())
    rows = []
    for case_id, result in results.items():
        engine, case = cases[case_id]
        for due in result.fire:
            if (case_id, due.code) not in mine:
                continue  # a concurrent pass recorded it first
            step = steps[(engine.version_id, case.segment if engine.playbook_version.has_segments else "", due.code)]
            kept = {id(a) for a in due.actions}
            playbook_step = _playbook(engine.playbook_version).step(due.code)
            for position, spec in enumerate(playbook_step.actions):
                if id(spec) in kept:
                    rows.append(_action_row(batch, case, engine, due, step.actions[position],
                                            approval_rules, due_at, zones[case_id]))
        for skip in result.skip:
            if (case_id, skip.code) not in mine:
                continue
            key = (engine.version_id, case.segment if engine.playbook_version.has_segments else "", skip.code)
            rows += [_skipped_row(batch, case, engine, skip, spec, due_at[zones[case_id]])
                     for spec in steps[key].actions]
    if rows:
        session.execute(insert(Action), rows)
    made = [row for row in rows if row["status"] != "skipped"]
    return {"actions_created": len(made),
            "waiting_approval": sum(1 for row in made if row["approval"] == "pending")}


def _skipped_row(batch: Batch, case, engine: CaseEngine, skip, spec, instant) -> dict:
    return dict(case_id=case.id, kind=spec.kind, template=spec.template, step_code=skip.code,
                playbook_version=engine.playbook_version.version, due_at=instant,
                status="skipped", approval="none", approver_role=None,
                assignee_role=spec.assignee_role, assignee_id=None, claim_ids=[],
                label=spec.label, step_action_id=spec.id, outcome=skip.reason,
                created_at=batch.now)


def _action_row(batch: Batch, case, engine: CaseEngine, due, spec, rules, due_at,
                zone: str) -> dict:
    approver = spec.approver_role or rules.get(spec.kind)
    instant = due_at[zone]
    status = "waiting_approval" if approver else ("due" if instant <= batch.now else "planned")
    return dict(case_id=case.id, kind=spec.kind, template=spec.template, step_code=due.code,
                playbook_version=engine.playbook_version.version, due_at=instant, status=status,
                approval="pending" if approver else "none", approver_role=approver,
                assignee_role=spec.assignee_role,
                assignee_id=case.agent_id if follows_agent(spec.kind, spec.assignee_role) else None,
                claim_ids=sorted(due.claim_ids), label=spec.label, step_action_id=spec.id,
                created_at=batch.now)


def _step_rows(session: Session, version_ids: set[int]) -> dict[tuple, PlaybookStep]:
    rows = session.scalars(select(PlaybookStep).options(selectinload(PlaybookStep.actions))
                           .where(PlaybookStep.version_id.in_(version_ids)))
    return {(r.version_id, r.segment, r.code): r for r in rows}


def _set_engine(session: Session, engine: CaseEngine, batch: Batch, *, state: str,
                error: str) -> None:
    session.execute(update(CaseEngine).where(CaseEngine.case_id == engine.case_id)
                    .values(updated_at=batch.now, state=state, last_error=error, next_step_at=None)
                    .execution_options(synchronize_session=False))


def _set_engines(session: Session, batch: Batch, results: dict[int, Evaluation]) -> None:
    rows = [{"id": case_id, "state": "held" if r.held else "active",
             "next": r.resume_on if r.held else r.wake_on, "current": r.current,
             "waiting": r.waiting.code if r.waiting else None, "now": batch.now}
            for case_id, r in results.items()]
    if rows:
        run_many(session, """
            UPDATE case_engine SET state = :state, last_error = NULL, next_step_at = :next,
                   current_step = :current, waiting_step = :waiting, updated_at = :now
            WHERE case_id = :id""", rows)


def next_look(result: Evaluation, today: date) -> date | None:
    """When a case should be looked at, from an evaluation made outside a pass."""
    if result.fire or result.skip:
        return today
    return result.resume_on if result.held else result.wake_on
