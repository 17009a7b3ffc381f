"""The ledger, the audit trail and the privacy logs are append-only in the database itself:
its triggers refuse UPDATE and DELETE from any statement, not only from the ORM. The one
sanctioned rewrite (redacting an audit event's changes and reason) passes only inside the gate."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from agency.models import PrivacyPurge
from agency.models.append_only import redaction_gate
from agency.services.privacy.access import log_access

REFUSED = [
    "UPDATE ledger_entry SET amount_minor = 1 WHERE case_id = :case",
    "DELETE FROM ledger_entry WHERE case_id = :case",
    "UPDATE audit_event SET reason = 'rewritten' WHERE case_id = :case",
    "UPDATE audit_event SET changes = '{}' WHERE case_id = :case",
    "DELETE FROM audit_event WHERE case_id = :case",
    "UPDATE personal_data_access SET route = 'x' WHERE case_id = :case",
    "DELETE FROM personal_data_access WHERE case_id = :case",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_the_database_refuses_rewrites(session, scope, make_case, statement):
    case = make_case()
    log_access(session, "case_page", route="test", cases=[case])
    session.flush()
    with pytest.raises(IntegrityError, match="append-only"):
        with session.begin_nested():
            session.execute(text(statement), {"case": case.id})


def test_the_purge_log_is_append_only_too(session, scope, make_case):
    case = make_case()
    session.add(PrivacyPurge(at=scope.now, debtor_id=case.debtor_id, actor_label="test",
                             last_closed_at=scope.now, kept_until=scope.now, erased={}))
    session.flush()
    for statement in ("UPDATE privacy_purge SET actor_label = 'x'", "DELETE FROM privacy_purge"):
        with pytest.raises(IntegrityError, match="append-only"):
            with session.begin_nested():
                session.execute(text(statement))


def test_inside_the_gate_only_changes_and_reason_may_be_rewritten(session, scope, make_case):
    case = make_case()
    session.flush()
    connection = session.connection()
    with redaction_gate(connection):
        connection.execute(text("UPDATE audit_event SET reason = 'redacted' WHERE case_id = :case"),
                           {"case": case.id})
        with pytest.raises(IntegrityError, match="append-only"):
            with session.begin_nested():
                session.execute(text("UPDATE audit_event SET verb = 'x', reason = 'y' WHERE case_id = :case"),
                                {"case": case.id})
        with pytest.raises(IntegrityError, match="append-only"):
            with session.begin_nested():
                session.execute(text("DELETE FROM audit_event WHERE case_id = :case"), {"case": case.id})
    assert set(session.execute(text("SELECT reason FROM audit_event WHERE case_id = :case"),
                               {"case": case.id}).scalars()) == {"redacted"}
    # the gate closes with its block
    with pytest.raises(IntegrityError, match="append-only"):
        with session.begin_nested():
            session.execute(text("UPDATE audit_event SET reason = 'again' WHERE case_id = :case"),
                            {"case": case.id})
