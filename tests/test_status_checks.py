"""A status or kind column only ever holds a known value: each has its CHECK, built from the
constant that names its values, in the models and in the migrated database, refusing an
unknown value on SQLite and PostgreSQL; the migration that adds them keeps existing rows,
indexes and triggers."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from agency import create_app
from agency.domain.money import Money
from agency.extensions import db
from agency.models.append_only import APPEND_ONLY_TABLES
from agency.models import (Action, AssignmentRule, CallLog, CaseEngine, CaseStep, Dispute,
                           InstalmentPlan, OutboundMessage, Partner, PartnerTask, PaymentPromise,
                           PlaybookStep, PlaybookStepAction, PlaybookVersion, Portfolio)
from agency.models.base import Base
from agency.services.privacy.access import log_access
from agency.services.audit import Actor, audit_scope
from agency.services.cases import ClaimInput, open_case
from agency.services.debtors import AddressInput, DebtorInput, create_debtor
from agency.services.directory import create_creditor, create_user
from tests.conftest import T0
from tests.test_migrations import _fresh_postgres_schema_url

# Columns that say what state a row is in or what kind of thing it is.
STATE_COLUMN = re.compile(r"^(status|state|kind|phase|channel|source|approval|strategy|outcome|"
                          r"role|raised_by|catch_up|resume)$|_(role|phase|team)$")
EXEMPT = {
    # What ended the action, in the words of what ended it: a call's outcome, a partner's
    # report, a skipped step's reason, a handover: several vocabularies, kept as written.
    ("action", "outcome"),
}


def _checks_in_models() -> dict[tuple[str, str], set[str]]:
    return {(table.name, c.name): set(c.info["values"]) for table in Base.metadata.tables.values()
            for c in table.constraints if "values" in c.info}


def test_every_status_and_kind_column_has_its_check():
    checked = {(table, name.removeprefix(f"ck_{table}_")) for table, name in _checks_in_models()}
    wanted = {(table.name, column.name) for table in Base.metadata.tables.values()
              for column in table.columns if STATE_COLUMN.search(column.name)}
    wanted.add(("team", "code"))
    assert wanted - EXEMPT - checked == set()
    for table in Base.metadata.tables.values():
        for check in (c for c in table.constraints if "values" in c.info):
            assert check.name == f"ck_{table.name}_{check.info['column']}"
            assert check.info["values"], check.name


def test_the_migrated_database_has_the_models_checks(session):
    inspector = inspect(session.connection())
    found = {}
    for table in Base.metadata.tables:
        for check in inspector.get_check_constraints(table):
            found[(table, check["name"])] = set(re.findall(r"'((?:[^']|'')*)'", check["sqltext"]))
    assert found == _checks_in_models()


def _one_row_per_table(session) -> dict:
    """A valid row in every table that has a status or kind CHECK."""
    creditor = create_creditor(session, code="CHK", name="Check", country="SN", currency="XOF")
    debtor = create_debtor(session, DebtorInput(
        name="Awa Diop", country="SN", phones=("+221771234567",), emails=("awa@example.sn",),
        addresses=(AddressInput("1 rue Carnot", "Dakar", None, "SN"),)))
    case = open_case(session, creditor=creditor, debtor=debtor, external_ref="CHK-1",
                     claims=[ClaimInput("INV-1", Money(150_000, "XOF"), deposit_date=date(2026, 1, 5))])
    user = create_user(session, email="agent.check@test.example", role="agent", password="correct horse battery",
                       team="amicable")
    partner = Partner(kind="bailiff", name="Me Ndiaye", email="ndiaye@example.sn")
    version = PlaybookVersion(name="check", version=1, title="Check", currency="XOF", catch_up="skip",
                              resume="stay", definition={}, checksum="0" * 64, created_by="test",
                              created_at=T0)
    session.add_all([partner, version])
    session.flush()
    step = PlaybookStep(version_id=version.id, code="s1", position=1, rank=1, approver_role="direction")
    session.add(step)
    session.flush()
    action = Action(case_id=case.id, kind="call", due_at=T0, status="due", approval="none",
                    assignee_role="agent", approver_role="direction", claim_ids=[], created_at=T0)
    session.add_all([
        PlaybookStepAction(step_id=step.id, position=1, kind="letter", assignee_role="team_lead",
                           to_phase="judicial", to_team="judicial_team", approver_role="direction"),
        CaseEngine(case_id=case.id, creditor_id=creditor.id, version_id=version.id, state="active",
                   enrolled_on=T0.date(), updated_at=T0),
        CaseStep(case_id=case.id, step_code="s1", version_id=version.id, status="skipped",
                 reason="catch_up", on_date=T0.date(), created_at=T0),
        action,
        AssignmentRule(team_id=user.team_id, strategy="round_robin"),
        PaymentPromise(case_id=case.id, promised_date=T0.date(), amount_minor=1000, currency="XOF",
                       status="open", created_at=T0),
        InstalmentPlan(case_id=case.id, status="proposed", instalments=3, total_minor=3000,
                       currency="XOF", first_due=T0.date(), created_at=T0),
        Dispute(case_id=case.id, status="open", reason="r", raised_by="debtor", created_at=T0),
        OutboundMessage(channel="sms", to_address="+221771234567", body="b", status="queued",
                        created_at=T0),
        Portfolio(creditor_id=creditor.id, filename="f.csv", stored_path="/tmp/f.csv", sha256="0" * 64,
                  source="cli", status="done", created_at=T0),
    ])
    session.flush()
    session.add_all([
        CallLog(case_id=case.id, debtor_id=debtor.id, action_id=action.id, agent_id=user.id, at=T0,
                outcome="no_answer"),
        PartnerTask(case_id=case.id, partner_id=partner.id, kind="bailiff", instructions="i",
                    status="reported", outcome="done", token_hash="1" * 64,
                    link_expires_at=T0 + timedelta(days=90), sent_at=T0),
    ])
    session.flush()
    log_access(session, "cli", route="test", reads=[(debtor.id, case.id)])
    session.flush()
    return {"case_id": case.id}


def _refused(session, table: str, column: str) -> bool:
    """Whether the database refuses an unknown value in ``column`` of a row of ``table``."""
    try:
        with session.begin_nested():
            if table in APPEND_ONLY_TABLES:  # never updated: a copy of its row, with the value
                row = dict(session.execute(text(f'SELECT * FROM "{table}" LIMIT 1')).mappings().one())
                row.pop("id"), row.update({column: "bogus"})
                if table == "ledger_entry":
                    row.update(reverses_id=None, idempotency_key=None)
                names = ", ".join(f'"{name}"' for name in row)
                session.execute(text(f'INSERT INTO "{table}" ({names}) VALUES '
                                     f'({", ".join(":" + name for name in row)})'), row)
            else:
                session.execute(text(f'UPDATE "{table}" SET "{column}" = :value'), {"value": "bogus"})
    except IntegrityError as exc:
        return f"ck_{table}_{column}" in str(exc.orig)
    return False


def test_an_unknown_value_is_refused_in_every_checked_column(session, scope):
    _one_row_per_table(session)
    for table, name in sorted(_checks_in_models()):
        assert session.scalar(text(f'SELECT count(*) FROM "{table}"')), f"no {table} row to try"
        column = name.removeprefix(f"ck_{table}_")
        assert _refused(session, table, column), f"{table}.{column} took an unknown value"
    # and every known value is taken
    assert session.execute(text("UPDATE action SET status = 'failed'")).rowcount == 1


@pytest.mark.commits
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_keeps_rows_indexes_and_triggers(tmp_path, backend):
    url = f"sqlite:///{tmp_path / 'c.db'}" if backend == "sqlite" else _fresh_postgres_schema_url("status_checks")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        upgrade(revision="0007_creditor_terms_mandate")  # the migration before the checks
        with audit_scope(db.session, Actor.system("test"), T0):
            case_id = _one_row_per_table(db.session)["case_id"]
        db.session.commit()
        before = _rows_and_objects()
        upgrade()
        after = _rows_and_objects()
        with db.engine.begin() as connection:  # the balance trigger still books
            connection.execute(text(
                "INSERT INTO ledger_entry (case_id, kind, amount_minor, currency, value_date, booked_at) "
                "VALUES (:case, 'payment', -1000, 'XOF', '2026-03-02', :at)"), {"case": case_id, "at": T0})
            balance = connection.execute(text("SELECT balance_minor FROM collection_case")).scalar()
        with pytest.raises(IntegrityError, match="ck_action_status"), db.engine.begin() as connection:
            connection.execute(text("UPDATE action SET status = 'bogus'"))
        db.session.remove()
        db.engine.dispose()
    assert after == before
    assert balance == 150_000 - 1000


def _rows_and_objects() -> dict:
    """Each table's row count, and the SQL of every index and trigger."""
    with db.engine.connect() as connection:
        counts = {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()
                  for t in Base.metadata.tables}
        if connection.dialect.name == "sqlite":
            query = "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
        else:
            query = ("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                     "UNION ALL SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                     "JOIN pg_class c ON c.oid = t.tgrelid "
                     "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace")
        objects = dict(connection.execute(text(query)).all())
    return {"counts": counts, "objects": objects}
