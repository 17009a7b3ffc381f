"""The queue page, the call buttons and the case panel, and who may use them."""
from datetime import timedelta

import pytest

import agency.backoffice.calls as calls_views
from agency.models import Action
from tests._workspace import WEDNESDAY, add_call, assigned_case, pair  # noqa: F401


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(calls_views, "now_utc", lambda: WEDNESDAY)


def test_my_calls_lists_the_queue_and_two_clicks_log_a_call(client, login, session, pair, assigned_case):
    case = assigned_case()
    action = add_call(session, case, WEDNESDAY - timedelta(hours=1))
    login(pair[0])
    page = client.get("/calls").get_data(as_text=True)
    assert case.reference in page and "+221771234567" in page and "Mes appels" in page
    response = client.post(f"/calls/{action.id}", data={"outcome": "no_answer"})
    assert response.status_code == 302 and response.location.endswith("/calls")
    session.expire_all()
    done = session.get(Action, action.id)
    assert (done.status, done.outcome) == ("done", "no_answer")
    counter = session.query(Action).filter_by(kind="counter_call").one()
    assert counter.assignee_id == pair[1].id
    assert "0 débiteur(s)" in client.get("/calls").get_data(as_text=True)


def test_promise_from_the_small_form(client, login, session, pair, assigned_case):
    case = assigned_case()
    action = add_call(session, case, WEDNESDAY)
    login(pair[0])
    response = client.post(f"/calls/{action.id}", data={"outcome": "promise", "promise_date": "2026-03-20",
                                                        "promise_amount": "75 000"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Action, action.id).outcome == "promise"


def test_an_agent_cannot_touch_another_agents_queue_or_calls(client, login, session, pair, assigned_case):
    first, second, lead = pair
    theirs = assigned_case(second)
    action = add_call(session, theirs, WEDNESDAY)
    login(first)
    assert client.get(f"/calls?agent={second.id}").status_code == 404
    assert client.post(f"/calls/{action.id}", data={"outcome": "reached"}).status_code == 404
    assert client.post(f"/cases/{theirs.reference}/calls", data={"outcome": "reached"}).status_code == 404
    assert client.post("/calls/999999", data={"outcome": "reached"}).status_code == 404
    session.expire_all()
    assert session.get(Action, action.id).status == "due"


def test_a_lead_sees_an_agents_queue_and_the_case_panel_explains(client, login, session, pair, assigned_case):
    case = assigned_case(pair[1])
    add_call(session, case, WEDNESDAY + timedelta(days=3))
    login(pair[2])
    assert client.get(f"/calls?agent={pair[1].id}").status_code == 200
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Pas dans la file" in html and "Prochain appel prévu le 07/03/2026" in html
    response = client.post(f"/cases/{case.reference}/calls", data={"outcome": "voicemail"})
    assert response.status_code == 302
    assert "Messagerie" in client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_covering_agent_may_log_on_the_absent_partners_call(client, login, session, pair, assigned_case):
    from datetime import date
    case = assigned_case(pair[1])
    action = add_call(session, case, WEDNESDAY)
    pair[1].absent_until = date(2026, 3, 6)
    session.flush()
    login(pair[0])
    assert case.reference in client.get("/calls").get_data(as_text=True)
    assert client.post(f"/calls/{action.id}", data={"outcome": "reached"}).status_code == 302
