"""Seeing the plan: what was done for a case, what is waiting, what comes next and when."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.playbook.case import ScheduleError
from agency.domain.playbook.schedule import evaluate
from agency.domain.timezones import local_date
from agency.models import Action, Case
from agency.models.playbook import CaseEngine, CaseStep
from agency.services.creditors.terms import terms_in_force
from agency.services.engine.batch import Batch, load_claims, select_cases
from agency.services.engine.python_path import load_states
from agency.services.engine.sql import prepare_temp_tables
from agency.services.engine.holds import holds_for_case
from agency.services.engine.playbooks import playbook_of


def case_plan(session: Session, case: Case, now: datetime) -> dict:
    """The case under its playbook as of ``now`` (nothing is written but scratch rows)."""
    engine = session.get(CaseEngine, case.id)
    if engine is None:
        return {"enrolled": False, "playbook": case.creditor.playbook_name}
    playbook = playbook_of(engine.playbook_version)
    today = local_date(now, case.creditor.timezone)
    records = session.scalars(select(CaseStep).where(CaseStep.case_id == case.id)
                              .order_by(CaseStep.on_date, CaseStep.id)).all()
    titles = {step.code: step.title for step in playbook.steps if step.title}
    plan = {"enrolled": True, "playbook": playbook.name, "title": playbook.title,
            "version": playbook.version,
            "state": engine.state, "error": engine.last_error, "next_step_at": engine.next_step_at,
            "today": today, "titles": titles,
            "done": [r for r in records if r.status != "pending"],
            "pending": [r for r in records if r.status == "pending"],
            "approvals": session.scalars(select(Action).where(
                Action.case_id == case.id, Action.approval == "pending",
                Action.status == "waiting_approval")).all(),
            "holds": holds_for_case(session, case)}
    try:
        evaluation = _evaluate(session, case, engine, playbook, today, now)
    except ScheduleError as exc:
        return plan | {"error": str(exc)}
    return plan | {"evaluation": evaluation, "next": evaluation.next,
                   "waiting": evaluation.waiting, "held": evaluation.held,
                   "resume_on": evaluation.resume_on}


def _evaluate(session, case, engine, playbook, today, now):
    creditor = case.creditor
    term = terms_in_force(session, creditor.id, today).payment_term_days
    batch = Batch(creditor.id, creditor.timezone, term, today, now, "plan")
    prepare_temp_tables(session)
    select_cases(session, [case.id])
    load_claims(session, batch)
    state = load_states(session, batch, [case.id])[case.id]
    return evaluate(playbook, state, today)
