"""The call form (#10): every field labelled, nothing chosen beforehand, checked by the server
(dates, the amount by the case's currency, a call-back ahead), refused with the errors beside
the fields and the input kept (400)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

import agency.backoffice.calls as calls_views
from agency.models import Action, CallLog, PaymentPromise
from tests._workspace import WEDNESDAY, add_call, assigned_case, local, pair  # noqa: F401


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(calls_views, "now_utc", lambda: WEDNESDAY)


@pytest.fixture
def case_page(client, login, pair, assigned_case):
    case = assigned_case()
    login(pair[0])
    return case


def call_form(html: str) -> str:
    return html[html.index('id="call-form"'):html.index("</form>", html.index('id="call-form"'))]


def test_every_field_has_a_visible_label_and_no_outcome_is_chosen(client, case_page):
    form = call_form(client.get(f"/cases/{case_page.reference}").get_data(as_text=True))
    for name in ("outcome", "promise_date", "promise_amount", "callback_at", "note"):
        field_id = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', form).group(0)
        field_id = re.search(r'id="([^"]+)"', field_id).group(1)
        assert re.search(rf'<label[^>]*for="{field_id}"[^>]*>[^<]+', form), name
    outcome = form[form.index('name="outcome"'):form.index("</select>", form.index('name="outcome"'))]
    first, *others = re.findall(r"<option[^>]*>[^<]*", outcome)
    assert 'value=""' in first and "selected" in first and "Choisir…" in first
    assert not any("selected" in option for option in others)
    assert "Faux numéro" in outcome  # the outcomes by their labels, never their codes


def test_the_placeholder_is_refused_beside_the_field_and_the_input_is_kept(client, case_page, session):
    response = client.post(f"/cases/{case_page.reference}/calls",
                           data={"outcome": "", "note": "rappeler après 17h"})
    assert response.status_code == 400
    form = call_form(response.get_data(as_text=True))
    assert "Choisissez l&#39;issue de l&#39;appel." in form or "Choisissez l'issue de l'appel." in form
    assert 'value="rappeler après 17h"' in form and "is-invalid" in form
    assert session.scalar(select(CallLog.id).where(CallLog.case_id == case_page.id)) is None


def test_a_promise_is_read_by_the_case_currency_and_lies_ahead(client, case_page, session):
    url = f"/cases/{case_page.reference}/calls"
    refused = client.post(url, data={"outcome": "promise", "promise_date": "2026-03-20",
                                     "promise_amount": "75 000,50"})  # XOF has no decimals
    assert refused.status_code == 400
    assert "Montant illisible (en XOF)." in refused.get_data(as_text=True)
    assert 'value="75 000,50"' in call_form(refused.get_data(as_text=True))
    past = client.post(url, data={"outcome": "promise", "promise_date": "2026-03-01",
                                  "promise_amount": "75 000"})
    assert past.status_code == 400 and "La date promise est passée." in past.get_data(as_text=True)
    missing = client.post(url, data={"outcome": "promise"})
    assert missing.status_code == 400
    assert "Une promesse a une date." in missing.get_data(as_text=True)
    assert "Une promesse a un montant." in missing.get_data(as_text=True)
    kept = client.post(url, data={"outcome": "promise", "promise_date": "2026-03-20",
                                  "promise_amount": "75 000 F CFA"})
    assert kept.status_code == 302
    promise = session.scalar(select(PaymentPromise).where(PaymentPromise.case_id == case_page.id))
    assert (promise.amount_minor, promise.currency, str(promise.promised_date)) == (
        75_000, "XOF", "2026-03-20")


def test_a_call_back_is_in_the_debtor_zone_and_in_the_future(client, case_page, session):
    url = f"/cases/{case_page.reference}/calls"
    before = client.post(url, data={"outcome": "callback", "callback_at": "2026-03-04T09:30"})
    assert before.status_code == 400  # 09:30 in Dakar is before 10:00 UTC, now
    assert "Le rappel doit être dans le futur." in before.get_data(as_text=True)
    assert client.post(url, data={"outcome": "callback"}).status_code == 400
    assert client.post(url, data={"outcome": "callback", "callback_at": "2026-03-05T15:00"}
                       ).status_code == 302
    callback = session.scalar(select(Action).where(Action.case_id == case_page.id,
                                                   Action.kind == "callback"))
    assert callback.due_at == local("Africa/Dakar", 2026, 3, 5, 15)


def test_an_unknown_outcome_or_phone_is_a_400_and_nothing_is_logged(client, case_page, session):
    url = f"/cases/{case_page.reference}/calls"
    for data in ({"outcome": "lottery"}, {"quick": "promise"}, {"quick": "busy", "phone_id": "999999"},
                 {"quick": "busy", "note": "x" * 2001}):
        assert client.post(url, data=data).status_code == 400, data
    assert session.scalar(select(CallLog.id).where(CallLog.case_id == case_page.id)) is None


def test_a_quick_outcome_from_the_queue_is_one_click(client, login, session, pair, assigned_case):
    case = assigned_case()
    action = add_call(session, case, WEDNESDAY - timedelta(hours=1))
    login(pair[0])
    assert 'name="quick" value="busy"' in client.get("/calls").get_data(as_text=True)
    assert client.post(f"/calls/{action.id}", data={"quick": "busy"}).status_code == 302
    session.expire_all()
    assert session.get(Action, action.id).outcome == "busy"
