"""The demo creditors on their playbooks, and a first pass so the demo shows actions."""
from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.models import Creditor
from agency.services.engine.daily import run_pass
from agency.services.engine.sweep import enrol_creditor
from agency.services.engine.playbooks import adopt_playbook, ensure_builtins, find_version

# SO.B.C.A. lends in XOF; the bank playbook's amounts are MAD. 1 MAD is about 60 F CFA
# (both pegged or tied to the euro); the direction reviews the converted thresholds.
RATES = {("MAD", "XOF"): Fraction(60)}


def seed_engine_demo(session: Session, now: datetime) -> dict:
    """Store the built-ins, put each demo creditor on its playbook, and run one pass.

    Call inside an audit scope, after ``load_demo``; a second call changes nothing new.
    """
    ensure_builtins(session)
    for creditor in session.scalars(select(Creditor).where(Creditor.playbook_name.is_not(None))):
        source = creditor.playbook_name
        adopt_playbook(session, creditor, source,
                       rate=RATES.get((_currency_of(session, source), creditor.currency)))
        enrol_creditor(session, creditor, now=now)
    return run_pass(session, now=now)


def _currency_of(session: Session, name: str) -> str | None:
    row = find_version(session, name)
    return row.currency if row is not None else None
