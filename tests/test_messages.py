from datetime import datetime

import pytest
from sqlalchemy import select

from agency.domain.timezones import UTC
from agency.models import DebtorPhone, OutboundMessage
from agency.services.audit import Actor, audit_scope
from agency.services.links import LinkSigner
from agency.services.messages import claim_for_sending, expire_stale_claims, outgoing, queue_message
from tests.fakes import FakeTwilio, serve
from workers.messages import send_message

LINKS = LinkSigner("test-secret", "http://recouvra.test")
# Monday 2 March 2026, 10:00 in Dakar (UTC+0): inside the window.
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def sms(session, debtor, key="k1", **kwargs):
    return queue_message(session, channel="sms", to=debtor.phones[0].e164, body="Rappel",
                         debtor=debtor, idempotency_key=key, **kwargs)


def test_a_message_is_queued_once_and_carries_its_opt_out(session, make_debtor, scope):
    debtor = make_debtor()
    first, second = sms(session, debtor), sms(session, debtor)
    assert first.id == second.id
    assert "/d/stop/" not in first.body  # the row never holds a signed link
    sent = outgoing(session, first, LINKS).body
    assert sent.startswith("Rappel\nSTOP : http://recouvra.test/d/stop/")
    token = sent.rsplit("/", 1)[1]
    assert LINKS.read("opt-out", token, 60) == {"c": "sms", "a": debtor.phones[0].e164, "d": debtor.id}


def test_outside_the_window_the_message_waits_for_the_next_opening(session, make_debtor, scope):
    message = sms(session, make_debtor())
    late = datetime(2026, 3, 6, 22, 30, tzinfo=UTC)  # Friday 22:30 in Dakar
    assert claim_for_sending(session, message.id, now=late) is None
    assert message.status == "queued"
    assert message.not_before == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # Monday 08:00
    assert claim_for_sending(session, message.id, now=datetime(2026, 3, 9, 7, 59, tzinfo=UTC)) is None
    assert claim_for_sending(session, message.id, now=datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    assert message.status == "sending"


def test_opted_out_numbers_are_never_used(app, session, client, make_debtor, scope):
    debtor = make_debtor()
    queued = sms(session, debtor)
    url = LinkSigner(app.config["SECRET_KEY"], "http://x").opt_out_url("sms", debtor.phones[0].e164, debtor.id)
    session.commit()
    assert client.get(url[len("http://x"):]).status_code == 200
    assert client.post(url[len("http://x"):]).status_code == 200
    session.expire_all()
    assert session.get(DebtorPhone, debtor.phones[0].id).status == "opted_out"
    assert session.get(OutboundMessage, queued.id).status == "cancelled"
    with audit_scope(session, Actor.system("test"), MONDAY_10):
        again = sms(session, debtor, key="k2")
    assert again.status == "cancelled"


def test_send_job_sends_through_the_outbox_once(session, make_debtor, scope, monkeypatch):
    monkeypatch.setattr("workers.messages.now_utc", lambda: MONDAY_10)
    message = sms(session, make_debtor())
    session.commit()
    assert send_message(message.id) == "sent"
    assert send_message(message.id) == "not sent"
    session.expire_all()
    row = session.get(OutboundMessage, message.id)
    assert row.status == "sent" and row.provider == "outbox" and row.attempts == 1


def test_twilio_is_called_with_the_real_library(app, session, make_debtor, scope, monkeypatch):
    fake = FakeTwilio("AC" + "1" * 32, "token")
    monkeypatch.setattr("workers.messages.now_utc", lambda: MONDAY_10)
    with serve(fake) as base:
        monkeypatch.setitem(app.config, "TWILIO_ACCOUNT_SID", fake.sid)
        monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", "token")
        monkeypatch.setitem(app.config, "TWILIO_FROM", "+221338000000")
        monkeypatch.setitem(app.config, "TWILIO_API_BASE", base)
        debtor = make_debtor()
        ok = sms(session, debtor, key="ok")
        session.commit()
        assert send_message(ok.id) == "sent"
        fake.status = 400
        bad = sms(session, debtor, key="bad")
        session.commit()
        assert send_message(bad.id) == "failed"
    assert fake.requests[0]["path"] == f"/2010-04-01/Accounts/{fake.sid}/Messages.json"
    assert fake.requests[0]["form"]["To"] == debtor.phones[0].e164
    assert fake.requests[0]["form"]["From"] == "+221338000000"
    session.expire_all()
    assert session.get(OutboundMessage, ok.id).provider_message_id.startswith("SM")
    assert "21211" in session.get(OutboundMessage, bad.id).last_error


def test_a_claim_left_by_a_dead_worker_is_never_resent(session, make_debtor, scope):
    message = sms(session, make_debtor())
    claim_for_sending(session, message.id, now=MONDAY_10)
    assert claim_for_sending(session, message.id, now=MONDAY_10) is None
    later = MONDAY_10.replace(hour=11)
    assert expire_stale_claims(session, now=later) == 1
    session.refresh(message)
    assert message.status == "unknown"
    assert claim_for_sending(session, message.id, now=later) is None
