"""Who did what, when and why: the actor context and the audit trail of cases.

Every change of a case's state columns is written to the trail by one listener at
flush time, so no service can forget it; the actor, the reason and the instant come
from the scope the service opened with ``audit_scope``. A change with no scope fails.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from agency.models import AuditEvent, Case

AUDITED_CASE_FIELDS = (
    "phase", "status", "segment", "team_id", "agent_id",
    "hold_until", "hold_reason", "hold_approved_by", "closed_at",
)
_SCOPE_KEY = "audit_scope"


class MissingAuditScope(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Actor:
    label: str
    user_id: int | None = None

    @classmethod
    def system(cls, process: str) -> Actor:
        return cls(label=f"system:{process}")

    @classmethod
    def of_user(cls, user) -> Actor:
        return cls(label=f"user:{user.email}", user_id=user.id)


@dataclass(frozen=True, slots=True)
class Scope:
    actor: Actor
    now: datetime
    reason: str | None = None


@contextmanager
def audit_scope(session: Session, actor: Actor, now: datetime,
                reason: str | None = None) -> Iterator[Scope]:
    """Attribute every change flushed inside the block to ``actor`` at ``now``."""
    previous = session.info.get(_SCOPE_KEY)
    scope = Scope(actor=actor, now=now, reason=reason)
    session.info[_SCOPE_KEY] = scope
    try:
        yield scope
    finally:
        if previous is None:
            session.info.pop(_SCOPE_KEY, None)
        else:
            session.info[_SCOPE_KEY] = previous


def current_scope(session: Session) -> Scope:
    scope = session.info.get(_SCOPE_KEY)
    if scope is None:
        raise MissingAuditScope("a case changed outside an audit scope (who, when, why?)")
    return scope


def give_reason(session: Session, reason: str) -> None:
    """Give the changes flushed from now on in this scope their reason."""
    scope = current_scope(session)
    session.info[_SCOPE_KEY] = Scope(actor=scope.actor, now=scope.now, reason=reason)


def record(session: Session, *, verb: str, case: Case | None = None,
           debtor_id: int | None = None, creditor_id: int | None = None,
           changes: dict | None = None, reason: str | None = None) -> AuditEvent:
    """Append an event to the trail, attributed to the current scope."""
    scope = current_scope(session)
    event_row = AuditEvent(
        at=scope.now, case=case, verb=verb, changes=changes or {},
        reason=reason if reason is not None else scope.reason,
        debtor_id=debtor_id if debtor_id is not None else _case_attr(case, "debtor"),
        creditor_id=creditor_id if creditor_id is not None else _case_attr(case, "creditor"),
        actor_id=scope.actor.user_id, actor_label=scope.actor.label,
    )
    session.add(event_row)
    return event_row


def _case_attr(case: Case | None, name: str) -> int | None:
    """The case's debtor or creditor id, also before the case is flushed."""
    if case is None:
        return None
    value = getattr(case, f"{name}_id")
    related = getattr(case, name)
    return value if value is not None else (related.id if related is not None else None)


def _jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def case_changes(case: Case) -> dict:
    """field -> [before, after] for the audited fields changed since the last flush."""
    state = inspect(case)
    changes = {}
    for field in AUDITED_CASE_FIELDS:
        history = state.attrs[field].history
        if history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                changes[field] = [_jsonable(before), _jsonable(after)]
    return changes


@event.listens_for(Session, "before_flush")
def _audit_case_changes(session: Session, flush_context, instances) -> None:
    for obj in list(session.new):
        if isinstance(obj, Case):
            record(session, verb="case.created", case=obj, changes={
                f: [None, _jsonable(getattr(obj, f))] for f in AUDITED_CASE_FIELDS
                if getattr(obj, f) is not None})
    for obj in list(session.dirty):
        if isinstance(obj, Case):
            changes = case_changes(obj)
            if changes:
                record(session, verb="case.changed", case=obj, changes=changes)
