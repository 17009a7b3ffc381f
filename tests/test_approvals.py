"""Approval queues: the direction's in the back-office, the creditor's in its portal."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from agency.domain.timezones import UTC
from agency.models import Action, AuditEvent
from agency.models.playbook import CaseStep
from agency.services.approvals import ApprovalError, decide
from agency.services.audit import Actor, audit_scope
from agency.services.engine.daily import run_pass

NOW = datetime(2026, 3, 20, 6, tzinfo=UTC)


def tick(session):
    with audit_scope(session, Actor.system("tick"), NOW):
        return run_pass(session, now=NOW)


@pytest.fixture
def letters(session, make_creditor, make_case):
    """Two creditors, each with a reminder letter waiting for approval."""
    mine = make_creditor("MINE", playbook="clinic-po02", terms={"approvals": {"letters": "creditor"}})
    other = make_creditor("OTHER", playbook="clinic-po02")
    make_case(mine, amounts=(3_000_000,), deposit=date(2026, 1, 5), segment="P")
    make_case(other, amounts=(3_000_000,), deposit=date(2026, 1, 5), segment="P")
    tick(session)
    return mine, other


def pending(session, creditor_code):
    from agency.models import Case, Creditor
    return session.scalars(select(Action).join(Case, Case.id == Action.case_id)
                           .join(Creditor, Creditor.id == Case.creditor_id)
                           .where(Creditor.code == creditor_code, Action.approval == "pending")).one()


def test_the_playbooks_approver_wins_over_the_contract(session, letters):
    assert pending(session, "MINE").approver_role == "direction"  # the playbook says direction
    assert pending(session, "OTHER").approver_role == "direction"


def test_direction_approves_in_bulk_and_rejects_with_a_reason(session, letters, make_user, client,
                                                             login):
    direction = make_user("direction")
    login(direction)
    page = client.get("/approvals").get_data(as_text=True)
    assert "w10-letter-1" in page
    ids = [pending(session, "MINE").id, pending(session, "OTHER").id]
    response = client.post("/approvals/decide", data={"action_id": [str(ids[0])],
                                                      "decision": "approve"})
    assert response.status_code == 302
    refused = client.post("/approvals/decide", data={"action_id": [str(ids[1])],
                                                     "decision": "reject"})
    assert refused.status_code == 400  # no reason: refused, nothing changed
    assert "Un refus doit être motivé." in refused.get_data(as_text=True)
    client.post("/approvals/decide", data={"action_id": [str(ids[1])], "decision": "reject",
                                           "reason": "montant contesté"})
    approved, rejected = (session.get(Action, i) for i in ids)
    session.refresh(approved)
    session.refresh(rejected)
    assert (approved.approval, approved.status) == ("approved", "due")
    assert (rejected.approval, rejected.status, rejected.approval_reason) == (
        "rejected", "cancelled", "montant contesté")
    record = session.scalar(select(CaseStep).where(CaseStep.case_id == rejected.case_id,
                                                   CaseStep.step_code == "w10-letter-1"))
    assert record.status == "cancelled"
    assert session.scalars(select(AuditEvent).where(AuditEvent.verb == "action.rejected")).one()


def test_a_rejection_needs_a_reason(session, letters, make_user, scope):
    with pytest.raises(ApprovalError):
        decide(session, make_user("direction"), [pending(session, "MINE").id], approve=False)


def test_an_agent_may_not_approve(session, letters, make_user, client, login):
    login(make_user("agent"))
    assert client.get("/approvals").status_code == 403


@pytest.fixture
def creditor_letters(session, make_creditor, make_case, scope):
    """Letters of two creditors whose contracts have them approve letters themselves."""
    from agency.services.engine.playbooks import save_playbook
    from agency.domain.playbook import dump_yaml, load_builtin, load_yaml
    text = dump_yaml(load_builtin("clinic-po02")).replace("approver_role: direction",
                                                          "approver_role: creditor")
    row, _ = save_playbook(session, load_yaml(text.replace("name: clinic-po02", "name: clinic-own")))
    mine = make_creditor("MINE", playbook=row.name)
    other = make_creditor("OTHER", playbook=row.name)
    make_case(mine, amounts=(3_000_000,), deposit=date(2026, 1, 5), segment="P")
    make_case(other, amounts=(3_000_000,), deposit=date(2026, 1, 5), segment="P")
    tick(session)
    return mine, other


def test_creditor_approves_its_own_actions_only(session, creditor_letters, make_user, client, login):
    login(make_user("creditor", creditor="MINE"))
    mine, other = pending(session, "MINE"), pending(session, "OTHER")
    assert mine.approver_role == other.approver_role == "creditor"
    page = client.get("/portal/approvals").get_data(as_text=True)
    assert f'value="{mine.id}"' in page and f'value="{other.id}"' not in page
    assert client.post("/portal/approvals/decide", data={
        "action_id": [str(other.id)], "decision": "approve"}).status_code == 404
    session.refresh(other)
    assert other.approval == "pending"
    assert client.post("/portal/approvals/decide", data={
        "action_id": [str(mine.id)], "decision": "approve"}).status_code == 302
    session.refresh(mine)
    assert mine.approval == "approved"


def test_direction_does_not_decide_for_the_creditor(session, creditor_letters, make_user, scope):
    with pytest.raises(LookupError):
        decide(session, make_user("direction"), [pending(session, "MINE").id], approve=True)
