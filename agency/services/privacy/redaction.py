"""The one sanctioned rewrite of the audit trail: redacting the personal data its events carry.

The trail stays append-only in the database (agency.models.append_only); this path opens the
trigger's gate for its own statements only, rewrites nothing but ``changes`` values that carry
personal data and free-text ``reason``, keeps every row and its shape (who, when, what verb,
which fields), and is itself recorded as an ``audit.redacted`` event.
"""
from __future__ import annotations

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from agency.models import AuditEvent
from agency.models.append_only import redaction_gate
from agency.services.audit import record

REDACTED = "[effacé]"
# Keys of ``changes`` whose values are about a person (addresses, names, free text).
PERSONAL_KEYS = frozenset({"to", "address", "email", "phone", "name", "national_id", "company_id",
                           "hold_reason", "note", "document", "report", "instructions"})


def redacted_changes(changes: dict) -> dict:
    """The same fields, personal values replaced (None stays None: it told nothing)."""
    return {key: ([None if v is None else REDACTED for v in value] if isinstance(value, list)
                  else (None if value is None else REDACTED))
            if key in PERSONAL_KEYS else value
            for key, value in (changes or {}).items()}


def redact_audit_trail(session: Session, *, debtor_id: int, case_ids: list[int]) -> int:
    """Redact the events about a debtor and its cases; returns how many were rewritten."""
    session.flush()
    rewrites = _rewrites(session, debtor_id, case_ids)
    if rewrites:
        table = AuditEvent.__table__
        statement = (update(table).where(table.c.id == bindparam("event_id"))
                     .values(changes=bindparam("new_changes"), reason=bindparam("new_reason")))
        with redaction_gate(session.connection()):
            session.connection().execute(statement, rewrites)
        for loaded in [obj for obj in session.identity_map.values() if isinstance(obj, AuditEvent)]:
            session.expire(loaded)
    record(session, verb="audit.redacted", debtor_id=debtor_id,
           changes={"events": [None, len(rewrites)]})
    return len(rewrites)


def redactable_events(session: Session, *, debtor_id: int, case_ids: list[int]) -> int:
    """How many events ``redact_audit_trail`` would rewrite."""
    return len(_rewrites(session, debtor_id, case_ids))


def _rewrites(session: Session, debtor_id: int, case_ids: list[int]) -> list[dict]:
    about = [AuditEvent.debtor_id == debtor_id]
    if case_ids:
        about.append(AuditEvent.case_id.in_(case_ids))
    rows = session.execute(select(AuditEvent.id, AuditEvent.changes, AuditEvent.reason)
                           .where(or_(*about)).order_by(AuditEvent.id)).all()
    rewrites = []
    for event_id, changes, reason in rows:
        new_changes = redacted_changes(changes)
        new_reason = None if reason is None else REDACTED
        if new_changes != (changes or {}) or new_reason != reason:
            rewrites.append({"event_id": event_id, "new_changes": new_changes, "new_reason": new_reason})
    return rewrites
