"""The daily purge of personal data whose retention period ended (scheduled in workers/schedule.py)."""
from __future__ import annotations

from flask import current_app

from agency.domain.timezones import now_utc, parse_instant
from agency.extensions import db
from agency.services.audit import Actor, audit_scope
from agency.services.privacy.purge import policy_from_settings, purge, remove_documents
from workers.queues import job, job_app_context


@job(queue="low", timeout=3600)
def purge_personal_data(slot: str | None = None) -> dict:
    """Anonymise the debtors whose retention ended by the slot's instant; a re-run finds none."""
    with job_app_context():
        now = min(parse_instant(slot), now_utc()) if slot else now_utc()
        session = db.session
        with audit_scope(session, Actor.system("privacy-purge"), now, reason="retention period ended"):
            outcomes = purge(session, policy_from_settings(current_app.config), dry_run=False)
        session.commit()
    remove_documents([path for outcome in outcomes for path in outcome.documents])
    return {"at": now.isoformat(), "purged": [outcome.as_dict() for outcome in outcomes]}
