"""One function ends an action (issue #10, finding 3): every path settles the playbook step,
writes the audit event and marks the case due; the case page's buttons and the CLI reach it."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

import agency.backoffice.actions as action_views
from agency.domain.timezones import UTC
from agency.models import Action, AuditEvent, Partner
from agency.models.playbook import CaseEngine, CaseStep
from agency.services.actions import ActionError, end_action
from agency.services.approvals import approval_queue, decide
from agency.services.links import LinkSigner
from agency.services.audit import Actor, audit_scope
from agency.services.calls.log import CallInput, log_call
from agency.services.cases import change_phase
from agency.services.engine.daily import run_pass
from agency.services.partners import report_task, send_task

D = date(2026, 1, 5)
W08, W14 = D + timedelta(weeks=8), D + timedelta(weeks=14)


def at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def tick(session, day: date) -> None:
    with audit_scope(session, Actor.system("tick"), at(day)):
        run_pass(session, now=at(day))


def record_of(session, case, code) -> CaseStep:
    session.expire_all()
    return session.scalar(select(CaseStep).where(CaseStep.case_id == case.id,
                                                 CaseStep.step_code == code))


def open_action(session, case, kind) -> Action:
    return session.scalars(select(Action).where(
        Action.case_id == case.id, Action.kind == kind,
        Action.status.in_(("planned", "due", "waiting_approval")))).one()


@pytest.fixture
def clinic(make_creditor):
    return make_creditor("CLIN", playbook="clinic-po02", terms={"approvals": {"letters": "direction"}})


@pytest.fixture
def guarantor(clinic, make_case, make_user, session):
    """A small guarantor under the threshold: at 14 weeks its visit is planned."""
    agent = make_user("agent", name="Awa")
    case = make_case(clinic, amounts=(100_000,), deposit=D, segment="P")
    case.agent_id = agent.id
    session.flush()
    return case, agent


def test_a_logged_call_settles_its_step_audits_and_marks_the_case_due(session, guarantor):
    case, agent = guarantor
    tick(session, W08)
    call = open_action(session, case, "call")
    with audit_scope(session, Actor.of_user(agent), at(W08, 10)):
        log_call(session, case=case, agent=agent, action=call, call=CallInput("reached"))
    record = record_of(session, case, "w08-call")
    assert (record.status, record.on_date) == ("done", W08)
    event = session.scalars(select(AuditEvent).where(AuditEvent.verb == "action.done")).one()
    assert event.changes == {"action_id": [None, call.id], "kind": [None, "call"],
                             "step": [None, "w08-call"], "status": ["planned", "done"],
                             "outcome": [None, "reached"]}
    assert event.actor_label == f"user:{agent.email}"
    assert session.get(CaseEngine, case.id).next_step_at == W08 - timedelta(days=1)


def test_an_action_ends_once(session, guarantor):
    case, agent = guarantor
    tick(session, W08)
    call = open_action(session, case, "call")
    with audit_scope(session, Actor.system("test"), at(W08, 10)):
        end_action(session, call, status="cancelled", outcome="test")
        with pytest.raises(ActionError, match="already cancelled"):
            end_action(session, call, status="done")
        with pytest.raises(ActionError, match="unknown end status"):
            end_action(session, Action(status="due"), status="finished")
    assert record_of(session, case, "w08-call").status == "cancelled"  # none was done


def test_a_partners_report_ends_the_visit_and_settles_its_step(session, guarantor):
    case, agent = guarantor
    tick(session, W14)
    visit = open_action(session, case, "visit")
    partner = Partner(kind="home_visit", name="Visites", email="v@partner.test", country="SN")
    session.add(partner)
    with audit_scope(session, Actor.of_user(agent), at(W14, 10)):
        sent = send_task(session, case=case, partner=partner, kind="home_visit",
                         instructions="Négocier", links=LinkSigner("test-secret", "https://x"), action=visit)
        assert (visit.status, visit.partner_id) == ("due", partner.id)
    with audit_scope(session, Actor(label="partner:v@partner.test"), at(W14 + timedelta(days=1))):
        report_task(session, task=sent.task, outcome="impossible", report="Portail fermé")
    session.expire_all()
    ended = session.get(Action, visit.id)
    assert (ended.status, ended.outcome, ended.note) == ("failed", "impossible", "Portail fermé")
    record = record_of(session, case, "w14-visit")
    assert (record.status, record.on_date) == ("cancelled", W14 + timedelta(days=1))


def test_a_rejected_letter_is_cancelled_through_the_owner(session, clinic, make_case, make_user):
    case = make_case(clinic, amounts=(3_000_000,), deposit=D, segment="P")
    tick(session, D + timedelta(weeks=10))
    letter = open_action(session, case, "letter")
    direction = make_user("direction")
    with audit_scope(session, Actor.of_user(direction), at(D + timedelta(weeks=10), 9)):
        decide(session, direction, [letter.id], approve=False, reason="montant contesté")
    session.expire_all()
    assert (session.get(Action, letter.id).status, session.get(Action, letter.id).outcome) == (
        "cancelled", "rejected")
    assert record_of(session, case, "w10-letter-1").status == "cancelled"
    verbs = set(session.scalars(select(AuditEvent.verb).where(AuditEvent.case_id == case.id)))
    assert {"action.rejected", "action.cancelled"} <= verbs


def test_closing_a_case_cancels_every_open_action(session, clinic, make_case, make_user):
    case = make_case(clinic, amounts=(3_000_000,), deposit=D, segment="P")
    tick(session, D + timedelta(weeks=10))  # the letter waits for the direction
    letter = open_action(session, case, "letter")
    with audit_scope(session, Actor.system("test"), at(D + timedelta(weeks=10), 9)):
        change_phase(session, case, "closed", "réglé directement au créancier")
    session.expire_all()
    assert (session.get(Action, letter.id).status, session.get(Action, letter.id).outcome) == (
        "cancelled", "case_closed")
    assert record_of(session, case, "w10-letter-1").status == "cancelled"
    event = session.scalars(select(AuditEvent).where(AuditEvent.verb == "action.cancelled")).one()
    assert event.reason == "réglé directement au créancier"
    # a cancelled action no longer waits in the approvers' queue
    assert approval_queue(session, make_user("direction"))[1] == 0


def test_the_pass_cancels_what_a_paid_case_still_had_open(session, guarantor):
    case, agent = guarantor
    tick(session, W08)
    call = open_action(session, case, "call")
    case.status = "paid"  # as the payments capability will set it
    session.flush()
    tick(session, W08 + timedelta(days=7))
    session.expire_all()
    assert (session.get(Action, call.id).status, session.get(Action, call.id).outcome) == (
        "cancelled", "case_paid")
    engine = session.get(CaseEngine, case.id)
    assert (engine.state, engine.next_step_at) == ("stopped", None)


def test_cli_completes_and_cancels_an_action_as_case_show_prints_it(runner, session, guarantor,
                                                                    clinic, make_case):
    case, agent = guarantor
    tick(session, W14)
    visit = open_action(session, case, "visit")
    result = runner.invoke(["action", "complete", str(visit.id), "--outcome", "debtor_absent",
                            "--note", "Bureaux fermés", "--at", f"{W14 + timedelta(days=1)}T15:00:00Z",
                            "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    shown = json.loads(runner.invoke(["case", "show", case.reference, "--json"]).output)
    assert printed in shown["actions"]
    assert (printed["status"], printed["outcome"], printed["done_at"]) == (
        "done", "debtor_absent", "2026-04-14T15:00:00+00:00")
    assert session.get(Action, visit.id).note == "Bureaux fermés"  # kept, not printed
    assert record_of(session, case, "w14-visit").on_date == W14 + timedelta(days=1)

    def refused(*args):
        outcome = runner.invoke(["action", *args, "--json"])
        assert outcome.exit_code == 1, outcome.output
        document = json.loads(outcome.output)
        assert document["ok"] is False
        return document["error"]

    assert "already done" in refused("complete", str(visit.id))
    assert "no action" in refused("complete", "999999")
    other = make_case(clinic, amounts=(100_000,), deposit=D + timedelta(weeks=10), segment="P")
    tick(session, D + timedelta(weeks=18))  # its 8-week call; the first case's suspension
    session.commit()  # as the CLI would: its refusals roll back what is not committed
    call = open_action(session, other, "call")
    assert "logging the call" in refused("complete", str(call.id))
    suspension = open_action(session, case, "suspend_service")
    assert "unknown outcome" in refused("complete", str(suspension.id), "--outcome", "visit_done")
    assert "needs a reason" in refused("cancel", str(suspension.id))
    cancelled = json.loads(runner.invoke(["action", "cancel", str(suspension.id), "--reason",
                                          "accord trouvé", "--json"]).output)
    assert (cancelled["status"], cancelled["outcome"]) == ("cancelled", "withdrawn")
    assert session.get(Action, suspension.id).note == "accord trouvé"


@pytest.fixture
def page_now(monkeypatch):
    monkeypatch.setattr(action_views, "now_utc", lambda: at(W14, 10))


def test_the_case_page_ends_an_action_with_its_button(client, login, session, guarantor, page_now):
    case, agent = guarantor
    tick(session, W14)
    visit = open_action(session, case, "visit")
    login(agent)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert f'id="done-{visit.id}"' in page and "Débiteur absent" in page
    assert f'id="cancel-{visit.id}"' not in page  # withdrawing is a lead's decision
    assert "Prochaine action planifiée ou à faire" in page  # where the case stands
    assert client.post(f"/cases/{case.reference}/actions/{visit.id}/done",
                       data={"outcome": "visit_done"}, csrf=False).status_code == 400
    response = client.post(f"/cases/{case.reference}/actions/{visit.id}/done",
                           data={"outcome": "visit_done", "note": "Reçu par le gérant"})
    assert response.status_code == 302
    assert "Action terminée." in client.get(response.location).get_data(as_text=True)
    session.expire_all()
    done = session.get(Action, visit.id)
    assert (done.status, done.outcome, done.note) == ("done", "visit_done", "Reçu par le gérant")
    assert record_of(session, case, "w14-visit").status == "done"
    again = client.post(f"/cases/{case.reference}/actions/{visit.id}/done", data={})
    assert "Action non terminée" in client.get(again.location).get_data(as_text=True)


def test_who_may_end_which_action_on_the_case_page(client, login, session, guarantor, page_now,
                                                   make_case, clinic, make_user):
    case, agent = guarantor
    elsewhere = make_case(clinic, amounts=(100_000,), deposit=D, segment="P")
    tick(session, W14)
    visit = open_action(session, case, "visit")
    login(make_user("agent", name="Karim"))  # not the case's agent, nor its pair
    assert client.post(f"/cases/{case.reference}/actions/{visit.id}/done",
                       data={"outcome": "visit_done"}).status_code == 404
    assert client.post(f"/cases/{case.reference}/actions/{visit.id}/cancel",
                       data={"reason": "x"}).status_code == 403
    client.post("/logout")
    login(make_user("team_lead"))
    assert client.post(f"/cases/{elsewhere.reference}/actions/{visit.id}/cancel",
                       data={"reason": "x"}).status_code == 404  # not this case's action
    no_reason = client.post(f"/cases/{case.reference}/actions/{visit.id}/cancel", data={"reason": " "})
    assert "Action non terminée" in client.get(no_reason.location).get_data(as_text=True)
    assert client.post(f"/cases/{case.reference}/actions/{visit.id}/cancel",
                       data={"reason": "Visite inutile : accord"}).status_code == 302
    session.expire_all()
    cancelled = session.get(Action, visit.id)
    assert (cancelled.status, cancelled.note) == ("cancelled", "Visite inutile : accord")
    assert record_of(session, case, "w14-visit").status == "cancelled"

