"""The demo creditors on their playbooks, and a first pass so the demo shows actions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.models import Creditor
from agency.services.engine.daily import run_pass
from agency.services.engine.playbooks import ensure_builtins
from agency.services.engine.sweep import enrol_creditor


def seed_engine_demo(session: Session, now: datetime) -> dict:
    """Store the built-ins, enrol each demo creditor's cases on the playbook its terms
    name (adopted when it was taken on), and run one pass.

    Call inside an audit scope, after ``load_demo``; a second call changes nothing new.
    """
    ensure_builtins(session)
    for creditor in session.scalars(select(Creditor).where(Creditor.playbook_name.is_not(None))):
        enrol_creditor(session, creditor, now=now)
    return run_pass(session, now=now)
