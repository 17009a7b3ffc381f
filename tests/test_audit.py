from datetime import date

import pytest
from sqlalchemy import select

from agency.domain.timezones import UTC
from agency.models import AuditEvent
from agency.models.audit import AuditTrailIsAppendOnly
from agency.services.audit import Actor, MissingAuditScope, audit_scope
from agency.services.cases import CaseError, change_phase, hold_case


def events(session, case):
    return session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                           .order_by(AuditEvent.id)).all()


def test_state_changes_record_who_when_what_why(session, make_case, make_user):
    case = make_case()
    director = make_user("direction", email="dir@test.example")
    from datetime import datetime
    at = datetime(2026, 4, 1, 10, 30, tzinfo=UTC)
    with audit_scope(session, Actor.of_user(director), at):
        change_phase(session, case, "judicial", reason="amiable épuisé, pièces complètes")
    last = events(session, case)[-1]
    assert last.verb == "case.changed"
    assert last.actor_id == director.id and last.actor_label == "user:dir@test.example"
    assert last.at == at
    assert last.changes == {"phase": ["amicable", "judicial"]}
    assert last.reason == "amiable épuisé, pièces complètes"


def test_a_change_without_a_scope_is_refused(session, make_case):
    case = make_case()
    session.flush()
    session.info.pop("audit_scope")  # leave the test's scope: no actor any more
    with pytest.raises(MissingAuditScope):
        case.segment = "G"
        session.flush()
    session.rollback()


def test_hold_needs_reason_and_approver_and_is_audited(session, make_case, scope):
    case = make_case()
    with pytest.raises(CaseError):
        hold_case(session, case, until=date(2026, 5, 1), reason="", approved_by="DO")
    hold_case(session, case, until=date(2026, 5, 1), reason="garant en difficulté", approved_by="A. Ba")
    last = events(session, case)[-1]
    assert last.changes["hold_until"] == [None, "2026-05-01"]
    assert last.reason == "garant en difficulté"


def test_audit_events_cannot_be_changed_or_deleted(session, make_case):
    case = make_case()
    event = events(session, case)[0]
    event.reason = "rewritten"
    with pytest.raises(AuditTrailIsAppendOnly):
        session.flush()
    session.rollback()
    event = events(session, make_case())[0]
    session.delete(event)
    with pytest.raises(AuditTrailIsAppendOnly):
        session.flush()
    session.rollback()
