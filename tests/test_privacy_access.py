"""Reads of debtors' personal data leave a trace: who, when, which debtor, through what, in an
access log apart from the audit trail, that admins read and nobody rewrites."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agency.models import AuditEvent, PersonalDataAccess
from agency.models.privacy import PrivacyRecordIsAppendOnly
from agency.services.audit import Actor, audit_scope
from agency.services.directory import create_token
from agency.services.privacy.access import log_access
from debtor_portal import access_token
from tests._workspace import WEDNESDAY, add_call, assigned_case, pair  # noqa: F401
from tests.conftest import T0


def reads(session, **where):
    query = select(PersonalDataAccess).order_by(PersonalDataAccess.id)
    for name, value in where.items():
        query = query.where(getattr(PersonalDataAccess, name) == value)
    return session.scalars(query).all()


def test_the_case_page_and_the_search_log_who_read_which_debtor(client, login, session, make_case, make_user):
    first, second = make_case(), make_case()
    agent = make_user("agent")
    login(agent)
    events_before = session.scalar(select(func.count(AuditEvent.id)))
    assert client.get(f"/cases/{first.reference}").status_code == 200
    [read] = reads(session, channel="case_page")
    assert (read.debtor_id, read.case_id, read.actor_id) == (first.debtor_id, first.id, agent.id)
    assert read.actor_label == f"user:{agent.email}" and read.route == "backoffice.case"
    assert client.get("/cases?q=Awa").status_code == 200
    listed = {(r.debtor_id, r.case_id) for r in reads(session, channel="search")}
    assert {(first.debtor_id, first.id), (second.debtor_id, second.id)} <= listed
    # kept apart from the business audit trail
    assert session.scalar(select(func.count(AuditEvent.id))) == events_before


def test_the_creditor_portal_the_api_and_the_debtor_portal_are_logged(app, client, login, session, scope,
                                                                       make_case, make_creditor, make_user):
    creditor = make_creditor("MINE")
    case = make_case(creditor)
    login(make_user("creditor", creditor="MINE"))
    assert client.get(f"/portal/cases/{case.reference}").status_code == 200
    assert client.get("/portal/").status_code == 200
    assert [r.channel for r in reads(session, debtor_id=case.debtor_id)] == ["case_page", "search"]
    _, token = create_token(session, creditor="MINE")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/cases/{case.reference}", headers=headers).status_code == 200
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    api = reads(session, channel="api")
    assert len(api) == 2 and {r.actor_label for r in api} == {"api:MINE"}
    with app.test_request_context():
        link = access_token(case)
    assert client.get(f"/d/{link}").status_code == 200
    [portal] = reads(session, channel="portal")
    assert portal.actor_label == f"debtor:{case.reference}" and portal.case_id == case.id


def test_the_call_queue_logs_the_debtors_it_shows(client, login, session, pair, assigned_case, monkeypatch):
    monkeypatch.setattr("agency.backoffice.calls.now_utc", lambda: WEDNESDAY)
    case = assigned_case()
    add_call(session, case, WEDNESDAY - timedelta(hours=1))
    login(pair[0])
    assert case.reference in client.get("/calls").get_data(as_text=True)
    [read] = reads(session, debtor_id=case.debtor_id)
    assert (read.case_id, read.actor_id, read.channel, read.route) == (case.id, pair[0].id, "search",
                                                                       "backoffice.my_calls")


def test_the_cli_logs_case_show(runner, session, make_case):
    case = make_case()
    result = runner.invoke(["case", "show", case.reference, "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["reference"] == case.reference
    [read] = reads(session, channel="cli")
    assert (read.debtor_id, read.actor_label, read.route) == (case.debtor_id, "system:cli", "agency case show")


def test_only_admins_read_the_access_log_with_its_filters(client, login, session, make_case, make_user):
    case, other = make_case(), make_case()
    with audit_scope(session, Actor(label="user:early@test.example"), T0 - timedelta(days=10)):
        log_access(session, "case_page", route="backoffice.case", cases=[other])
    reader = make_user("agent", email="reader@test.example")
    login(reader)
    assert client.get(f"/cases/{case.reference}").status_code == 200
    assert client.get("/privacy/access-log").status_code == 403
    login(make_user("admin"))
    page = client.get(f"/privacy/access-log?debtor={case.debtor_id}").get_data(as_text=True)
    assert "reader@test.example" in page and case.reference in page and "early@test.example" not in page
    page = client.get("/privacy/access-log?actor=early").get_data(as_text=True)
    assert "early@test.example" in page and "reader@test.example" not in page
    day = (T0 - timedelta(days=10)).date().isoformat()
    page = client.get(f"/privacy/access-log?since={day}&until={day}").get_data(as_text=True)
    assert "early@test.example" in page and "reader@test.example" not in page
    assert client.get("/privacy/access-log?since=yesterday").status_code == 400


def test_the_access_log_is_append_only(session, scope, make_case):
    case = make_case()
    log_access(session, "case_page", route="x", cases=[case])
    [read] = reads(session)
    read.route = "rewritten"
    with pytest.raises(PrivacyRecordIsAppendOnly):
        session.flush()
    session.rollback()
