"""The demo creditors get their playbooks and a first pass."""
from datetime import datetime

from sqlalchemy import func, select

from agency.domain.timezones import UTC
from agency.models import Action, Creditor
from agency.services.audit import Actor, audit_scope
from agency.services.demo import load_demo
from agency.services.demo.engine import seed_engine_demo


def test_demo_shows_actions_and_approvals(session):
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with audit_scope(session, Actor.system("demo"), now):
        counts = load_demo(session, password="demo-password-1")
        again = seed_engine_demo(session, now)
    assert counts["actions_created"] > 0 and counts["waiting_approval"] > 0
    assert again["actions_created"] == 0
    lender = session.scalar(select(Creditor).where(Creditor.code == "SOBCA"))
    assert lender.playbook_name == "bank-amicable-3-sobca"
    assert session.scalar(select(func.count(Action.id)).where(Action.approval == "pending")) > 0
