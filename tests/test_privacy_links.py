"""Secrets stay secret: no partner or debtor link is stored in clear or shown to staff, and
the opt-out changes nothing on a GET (a mail scanner's prefetch) but on a POST, including the
one-click POST of RFC 8058 that mail clients send from the List-Unsubscribe headers."""
from datetime import datetime
from email import message_from_bytes, policy

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from agency import create_app
from agency.extensions import db

from agency.domain.timezones import UTC
from agency.models import DebtorEmail, DebtorPhone, OutboundMessage, Partner
from agency.services.links import LinkSigner
from agency.services.messages import queue_message
from agency.services.partners import send_task
from tests.fakes import FakeSmtp, serve_smtp
from tests.test_migrations import _fresh_postgres_schema_url
from workers.messages import send_message

MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # inside Dakar's window
LINKS = LinkSigner("test-secret", "https://recouvra.test")  # the test app's SECRET_KEY


@pytest.fixture
def outbox_dir(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(tmp_path))
    monkeypatch.setattr("workers.messages.now_utc", lambda: MONDAY_10)
    return tmp_path


def delivered(folder, message_id):
    path = folder / f"{message_id}.eml"
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def reminder(session, debtor, channel="email", key="r1"):
    to = debtor.emails[0].email if channel == "email" else debtor.phones[0].e164
    return queue_message(session, channel=channel, to=to, subject="Votre dossier", body="Merci de régler.",
                         debtor=debtor, idempotency_key=key)


def test_staff_never_read_a_partner_link(app, client, login, session, scope, make_case, make_user, outbox_dir,
                                         monkeypatch):
    monkeypatch.setattr("agency.partner_links.now_utc", lambda: MONDAY_10)  # within the link's life
    partner = Partner(kind="bailiff", name="Me Diagne", email="etude@partner.test", country="SN")
    session.add(partner)
    session.flush()
    sent = send_task(session, case=make_case(), partner=partner, kind="bailiff", instructions="Signifier.",
                     links=LINKS)
    session.commit()
    assert send_message(sent.message_id) == "sent"
    email = delivered(outbox_dir, sent.message_id)
    link = next(line for line in email.get_content().splitlines() if "/p/" in line).strip()
    token = link.rsplit("/", 1)[1]
    assert client.get(f"/p/{token}").status_code == 200  # the partner's link works
    login(make_user("admin"))
    page = client.get("/outbox").get_data(as_text=True)
    assert "Signifier." in page and "/p/••••••" in page
    assert token not in page
    assert token not in session.get(OutboundMessage, sent.message_id).body


def test_outbox_masks_debtor_links_even_in_older_rows(client, login, session, scope, make_debtor, make_user):
    debtor = make_debtor(emails=("awa@example.sn",))
    old_link = LINKS.case_url(42, "RC-2026-000042")
    session.add(OutboundMessage(channel="sms", to_address="+221771234567", body=f"Votre dossier : {old_link}",
                                debtor_id=debtor.id, status="sent", created_at=MONDAY_10))
    reminder(session, debtor)
    session.flush()
    login(make_user("agent"))
    page = client.get("/outbox").get_data(as_text=True)
    assert old_link.rsplit("/", 1)[1] not in page and "recouvra.test/d/••••••" in page
    assert "…/d/stop/••••••" in page  # the new row's opt-out placeholder, masked


def test_an_email_to_a_debtor_carries_one_click_unsubscribe(app, client, session, scope, make_debtor,
                                                             monkeypatch):
    fake = FakeSmtp()
    debtor = make_debtor(emails=("awa@example.sn",))
    message = reminder(session, debtor)
    session.commit()
    monkeypatch.setattr("workers.messages.now_utc", lambda: MONDAY_10)
    with serve_smtp(fake) as port:
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", port)
        assert send_message(message.id) == "sent"
    email = message_from_bytes(fake.messages[0], policy=policy.default)
    url = email["List-Unsubscribe"].strip("<>")
    # as sent: one plain header line a mail client can follow, not folded into encoded words
    assert f"List-Unsubscribe: <{url}>".encode() in fake.messages[0]
    assert url.startswith("http") and "/d/stop/" in url and url in email.get_content()
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = url[url.index("/d/stop/"):]
    # the mail client's one-click POST: no cookie, no CSRF token, RFC 8058's body
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}, csrf=False).status_code == 200
    session.expire_all()
    assert session.get(DebtorEmail, debtor.emails[0].id).status == "opted_out"


def test_the_local_outbox_delivers_the_headers_too(session, scope, make_debtor, outbox_dir):
    debtor = make_debtor(emails=("awa@example.sn",))
    message = reminder(session, debtor)
    session.commit()
    assert send_message(message.id) == "sent"
    email = delivered(outbox_dir, message.id)
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"List-Unsubscribe: {email['List-Unsubscribe']}".encode() in (outbox_dir / f"{message.id}.eml").read_bytes()
    assert email["List-Unsubscribe"].strip("<>") in email.get_content()


def test_opening_the_opt_out_link_changes_nothing_until_confirmed(client, session, scope, make_debtor):
    debtor = make_debtor()
    number = debtor.phones[0].e164
    queued = reminder(session, debtor, channel="sms")
    session.commit()
    path = "/d/stop/" + LINKS.opt_out_url("sms", number, debtor.id).rsplit("/", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and 'id="opt-out"' in page.get_data(as_text=True)
    session.expire_all()
    assert session.get(DebtorPhone, debtor.phones[0].id).status == "valid"
    assert session.get(OutboundMessage, queued.id).status == "queued"
    # a forged POST (no token, not RFC 8058's body) is refused
    assert client.post(path, data={}, csrf=False).status_code == 400
    assert session.get(DebtorPhone, debtor.phones[0].id).status == "valid"
    done = client.post(path)  # the page's button, with its CSRF token
    assert done.status_code == 200
    session.expire_all()
    assert session.get(DebtorPhone, debtor.phones[0].id).status == "opted_out"
    assert session.get(OutboundMessage, queued.id).status == "cancelled"
    again = client.get(path).get_data(as_text=True)
    assert 'id="opt-out"' not in again  # already done: nothing left to confirm


def test_the_confirmation_speaks_english_too(client, session, scope, make_debtor):
    debtor = make_debtor(language="en")  # the page speaks the debtor's language, not the browser's
    path = "/d/stop/" + LINKS.opt_out_url("sms", debtor.phones[0].e164, debtor.id).rsplit("/", 1)[1]
    session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "Confirm unsubscribe" in page
    assert session.scalar(select(DebtorPhone.status).where(DebtorPhone.debtor_id == debtor.id)) == "valid"


@pytest.mark.commits
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_masks_links_stored_before_it(tmp_path, backend):
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else _fresh_postgres_schema_url()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
    sent_link = LINKS.case_url(1, "RC-2026-000001")
    queued_opt_out = LINKS.opt_out_url("sms", "+221771234567", 1)
    with app.app_context():
        upgrade(revision="0003_case_engine_indexes")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO debtor (id, kind, name, name_key, language, timezone, created_at) "
                "VALUES (1, 'person', 'Awa', 'awa', 'fr', 'Africa/Dakar', '2026-03-02 10:00:00')"))
            for status, body in (("sent", f"Votre dossier : {sent_link}"), ("queued", f"Rappel\nSTOP : {queued_opt_out}")):
                connection.execute(text(
                    "INSERT INTO outbound_message (channel, to_address, body, debtor_id, respect_window, status, "
                    "attempts, created_at) VALUES ('sms', '+221771234567', :body, 1, true, :status, 0, "
                    "'2026-03-02 10:00:00')"), {"body": body, "status": status})
        upgrade()
        with db.engine.connect() as connection:
            bodies = dict(connection.execute(text("SELECT status, body FROM outbound_message")).all())
        db.engine.dispose()
    assert bodies["sent"] == "Votre dossier : https://recouvra.test/d/••••••"
    assert bodies["queued"] == "Rappel\nSTOP : [[opt-out-link]]"  # signed again when it leaves
