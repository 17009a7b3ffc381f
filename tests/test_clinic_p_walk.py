"""The clinic's small (P) guarantor walked through the real routes, from the 8-week call to
the handover: calls logged on the case page, letters approved by the direction and posted,
the visit reported by the partner on its secret link, the suspension confirmed on the case
page; the formal notice then falls due two weeks after the suspension was confirmed, and
the handover fifteen days after the notice was served (issue #10, finding 3).

Time runs with ``agency tick --at`` (the pass) and a clock the views read."""
from __future__ import annotations

import json
import re
from pathlib import Path
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from agency.domain.timezones import UTC
from agency.extensions import db
from agency.models import Action, AuditEvent, Case, OutboundMessage, Partner
from agency.models.playbook import CaseStep
from agency.services.case_standing import standing_of
from agency.services.directory import ensure_teams
from tests.conftest import BrowserClient
from tests.factories import PASSWORD, sign_in

D = date(2026, 1, 5)  # the invoice's deposit date, a Monday
VIEWS = ("agency.backoffice.calls", "agency.backoffice.actions", "agency.backoffice.teams",
         "agency.backoffice.playbooks", "agency.web.approvals", "agency.partner_links")


class Clock:
    def __init__(self, monkeypatch):
        self.now = datetime(2026, 3, 1, tzinfo=UTC)
        for module in VIEWS:
            monkeypatch.setattr(f"{module}.now_utc", lambda: self.now)

    def set(self, day: date, hour: int = 10) -> None:
        self.now = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def world(session, scope, make_creditor, make_case, make_user):
    ensure_teams(session)
    clinic = make_creditor("CLIN", playbook="clinic-po02", terms={"approvals": {"letters": "direction"}})
    agent = make_user("agent", team="amicable", name="Awa")
    make_user("agent", team="amicable", name="Moussa", pair_with=agent.email)
    direction = make_user("direction", name="Aïssatou")
    case = make_case(clinic, amounts=(3_000_000,), deposit=D, segment="P")
    case.agent_id, case.team_id = agent.id, agent.team_id
    partner = Partner(kind="home_visit", name="Visites Dakar", email="visites@partner.test",
                      country="SN")
    session.add(partner)
    session.flush()
    return case, agent, direction, partner


def browser(app, user=None):
    app.test_client_class = BrowserClient  # as the client fixture does: CSRF tokens, https
    client = app.test_client()
    if user is None:
        return client
    return sign_in(client, db.session, user, PASSWORD)


def tick(runner, day: date) -> dict:
    result = runner.invoke(["tick", "--at", f"{day.isoformat()}T06:00:00Z", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def step_actions(session, case, code) -> list[Action]:
    session.expire_all()
    return list(session.scalars(select(Action).where(Action.case_id == case.id,
                                                     Action.step_code == code).order_by(Action.id)))


def falls_due_on(session, runner, case, code, day: date) -> Action:
    """Nothing for the step the day before, its action on the day: returned."""
    tick(runner, day - timedelta(days=1))
    assert step_actions(session, case, code) == [], (code, "fell due early")
    tick(runner, day)
    fired = step_actions(session, case, code)
    assert len(fired) == 1, (code, day, fired)
    return fired[0]


def settled(session, case, code) -> tuple[str, date]:
    session.expire_all()
    record = session.scalar(select(CaseStep).where(CaseStep.case_id == case.id,
                                                   CaseStep.step_code == code))
    return record.status, record.on_date


def ok(response) -> None:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_p_guarantor_from_the_8_week_call_to_the_handover(app, session, runner, world, monkeypatch):
    case, agent, direction, partner = world
    clock = Clock(monkeypatch)
    awa, aissatou, visitor = browser(app, agent), browser(app, direction), browser(app)
    page = f"/cases/{case.reference}"

    # 8 weeks: the call, no answer (a counter-call follows); the step is done that day.
    call = falls_due_on(session, runner, case, "w08-call", D + timedelta(weeks=8))
    clock.set(D + timedelta(weeks=8))
    ok(awa.post(f"{page}/calls", data={"action_id": call.id, "outcome": "no_answer"}))
    assert settled(session, case, "w08-call") == ("done", D + timedelta(weeks=8))
    counter = session.scalar(select(Action).where(Action.kind == "counter_call"))
    assert counter.status in ("planned", "due")

    # 9 weeks: reached; the counter-call is moot and ends cancelled.
    call = falls_due_on(session, runner, case, "w09-call", D + timedelta(weeks=9))
    clock.set(D + timedelta(weeks=9))
    ok(awa.post(f"{page}/calls", data={"action_id": call.id, "outcome": "reached"}))
    assert settled(session, case, "w09-call") == ("done", D + timedelta(weeks=9))
    session.expire_all()
    assert (session.get(Action, counter.id).status,
            session.get(Action, counter.id).outcome) == ("cancelled", "debtor_reached")

    # 10 and 12 weeks: each letter approved by the direction, then posted from the case page.
    for code, weeks in (("w10-letter-1", 10), ("w12-letter-2", 12)):
        letter = falls_due_on(session, runner, case, code, D + timedelta(weeks=weeks))
        assert (letter.status, letter.approval) == ("waiting_approval", "pending")
        clock.set(D + timedelta(weeks=weeks))
        assert f"done-{letter.id}" not in awa.get(page).get_data(as_text=True)  # not yet approved
        ok(aissatou.post("/approvals/decide", data={"action_id": [str(letter.id)],
                                                    "decision": "approve"}))
        assert f"done-{letter.id}" in awa.get(page).get_data(as_text=True)
        ok(awa.post(f"{page}/actions/{letter.id}/done", data={"outcome": "letter_posted"}))
        assert settled(session, case, code) == ("done", D + timedelta(weeks=weeks))

    # 14 weeks: the visit, entrusted to the partner, reported on its secret link two days on.
    visit = falls_due_on(session, runner, case, "w14-visit", D + timedelta(weeks=14))
    clock.set(D + timedelta(weeks=14))
    ok(awa.post(f"{page}/partner-tasks", data={"partner_id": partner.id, "action_id": visit.id,
                                               "instructions": "Négocier le règlement."}))
    sent = session.scalar(select(OutboundMessage).where(OutboundMessage.to_address == partner.email))
    assert sent.status == "sent"  # the partner's inbox (the local outbox) has the link
    received = (Path(app.config["OUTBOX_DIR"]) / f"{sent.id}.eml").read_text()
    token = re.search(r"/p/([\w-]+)", received).group(1)
    clock.set(D + timedelta(weeks=14, days=2))
    report = visitor.post(f"/p/{token}", data={"outcome": "debtor_found",
                                               "report": "Reçu par le DAF."})
    assert report.status_code == 200 and 'id="reported"' in report.get_data(as_text=True)
    assert settled(session, case, "w14-visit") == ("done", D + timedelta(weeks=14, days=2))

    # 18 weeks: the suspension of care, confirmed on the case page three days later.
    suspension = falls_due_on(session, runner, case, "w18-suspend", D + timedelta(weeks=18))
    confirmed_on = D + timedelta(weeks=18, days=3)
    tick(runner, confirmed_on - timedelta(days=1))  # the pass meanwhile: nothing to fire
    clock.set(confirmed_on)
    ok(awa.post(f"{page}/actions/{suspension.id}/done",
                data={"outcome": "suspension_confirmed", "note": "Confirmé par la clinique"}))
    assert settled(session, case, "w18-suspend") == ("done", confirmed_on)

    # Suspension + 2 weeks: the formal notice, served the next day.
    notice = falls_due_on(session, runner, case, "p-formal-notice",
                          confirmed_on + timedelta(weeks=2))
    served_on = confirmed_on + timedelta(weeks=2, days=1)
    clock.set(served_on)
    ok(awa.post(f"{page}/actions/{notice.id}/done", data={"outcome": "notice_served"}))
    assert settled(session, case, "p-formal-notice") == ("done", served_on)

    # The notice's 15 days passed: the case goes to the collection agency.
    handover = falls_due_on(session, runner, case, "p-handover", served_on + timedelta(days=15))
    assert (handover.status, handover.outcome) == ("done", "handed_over")
    session.expire_all()
    assert session.get(Case, case.id).phase == "agency_collection"
    records = dict(session.execute(select(CaseStep.step_code, CaseStep.status)
                                   .where(CaseStep.case_id == case.id)).all())
    assert set(records.values()) == {"done"} and len(records) == 8
    verbs = session.scalars(select(AuditEvent.verb).where(AuditEvent.case_id == case.id)).all()
    assert verbs.count("action.done") == 8 and verbs.count("action.cancelled") == 1
    # Every step is done and the case has no result yet: a stray for the team lead.
    assert standing_of(session, case.id, served_on + timedelta(days=15)) == "playbook_finished"
