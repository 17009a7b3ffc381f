"""Partner tasks: sent by email with a secret link; the partner reports and uploads."""
import io
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

import agency.partner_links as partner_views
from agency.models import OutboundMessage, Partner, PartnerTask
from agency.services.links import LinkSigner
from agency.services.partners import PartnerError, send_task, task_for_token
from tests.conftest import T0
from workers.messages import send_message

LINKS = LinkSigner("test-secret", "https://recouvra.test")  # the test app's SECRET_KEY


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(partner_views, "now_utc", lambda: T0 + timedelta(days=1))


@pytest.fixture
def bailiff(session, scope):
    partner = Partner(kind="bailiff", name="Me Diagne", email="etude@partner.test", country="SN")
    session.add(partner)
    session.flush()
    return partner


def delivered_link(app, session, message_id, folder) -> str:
    """Send the task's email through the local outbox and read the link the partner received."""
    session.commit()
    assert send_message(message_id) == "sent"
    email = message_from_bytes((folder / f"{message_id}.eml").read_bytes(), policy=policy.default)
    return next(line for line in email.get_content().splitlines() if "/p/" in line).strip()


def test_task_email_link_report_and_upload(app, client, session, scope, make_case, bailiff, monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(tmp_path / "outbox"))
    case = make_case()
    sent = send_task(session, case=case, partner=bailiff, kind="bailiff", instructions="Signifier le titre.",
                     links=LINKS)
    message = session.get(OutboundMessage, sent.message_id)
    assert message.to_address == "etude@partner.test" and "/p/" not in message.body
    link = delivered_link(app, session, sent.message_id, tmp_path / "outbox")
    token = link.rsplit("/", 1)[1]
    assert token not in session.get(OutboundMessage, sent.message_id).body  # never stored in clear
    assert sent.task.token_hash != token and sent.task.link_nonce not in token
    page = client.get(f"/p/{token}")
    assert page.status_code == 200 and "Signifier le titre." in page.get_data(as_text=True)
    response = client.post(f"/p/{token}", data={
        "outcome": "done", "report": "Signifiée à personne.",
        "document": (io.BytesIO(b"%PDF-1.4 acte"), "acte signification.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 200 and 'id="reported"' in response.get_data(as_text=True)
    session.expire_all()
    task = session.get(PartnerTask, sent.task.id)
    assert (task.status, task.outcome, task.document_name) == ("reported", "done", "acte_signification.pdf")
    assert (tmp_path / "partner_documents" / str(task.id) / "acte_signification.pdf").read_bytes() == b"%PDF-1.4 acte"
    assert "Signifiée à personne." in client.get(f"/p/{token}").get_data(as_text=True)


def test_bad_expired_or_cancelled_links_find_nothing(client, session, scope, make_case, bailiff):
    sent = send_task(session, case=make_case(), partner=bailiff, kind="bailiff", instructions="x",
                     links=LINKS)
    token = LINKS.partner_token(sent.task.link_nonce)
    assert client.get(f"/p/{token}").status_code == 200
    # the nonce alone (a leaked row) does not make the link without the secret key
    assert client.get(f"/p/{LinkSigner('other-secret', 'h').partner_token(sent.task.link_nonce)}").status_code == 404
    assert client.get(f"/p/{token[:-2]}zz").status_code == 404
    assert task_for_token(session, token, T0 + timedelta(days=91)) is None
    sent.task.status = "cancelled"
    session.flush()
    assert client.get(f"/p/{token}").status_code == 404


def test_refuses_unsendable_tasks(session, scope, make_case, bailiff):
    bailiff.email = None
    with pytest.raises(PartnerError):
        send_task(session, case=make_case(), partner=bailiff, kind="bailiff", instructions="x", links=LINKS)


def test_staff_sends_a_task_from_the_case_page(client, login, session, make_user, make_case, bailiff):
    case = make_case()
    login(make_user("agent"))
    assert "Missions partenaires" in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    response = client.post(f"/cases/{case.reference}/partner-tasks",
                           data={"partner_id": bailiff.id, "instructions": "Visite au domicile"})
    assert response.status_code == 302, response.data
    assert "Mission envoyée" in client.get(response.location).get_data(as_text=True)
    assert session.scalar(select(PartnerTask.kind).where(PartnerTask.case_id == case.id)) == "bailiff"


@pytest.mark.parametrize("outcome,document,refusal", [
    ("inventé", (b"%PDF-1.4 acte", "acte.pdf"), "pas un choix valide"),
    ("done", (b"MZ\x90\x00 not a pdf", "acte.pdf"), "Type de fichier refusé"),
    ("done", (b"%PDF-1.4", "acte.exe"), "Type de fichier refusé"),
    ("done", (b"%PDF-1.4" + b"0" * (200 * 1024), "gros.pdf"), "Document trop volumineux"),
])
def test_a_refused_report_or_document_stores_no_file(app, client, session, scope, make_case, bailiff,
                                                     monkeypatch, tmp_path, outcome, document, refusal):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    # 100 KB: the test client spools bodies over 500 KB to files it leaves to the collector
    monkeypatch.setitem(app.config, "PARTNER_DOCUMENT_MAX_MB", 0.1)
    sent = send_task(session, case=make_case(), partner=bailiff, kind="bailiff", instructions="x",
                     links=LINKS)
    session.commit()
    token = LINKS.partner_token(sent.task.link_nonce)
    response = client.post(f"/p/{token}", content_type="multipart/form-data", data={
        "outcome": outcome, "report": "r", "document": (io.BytesIO(document[0]), document[1])})
    assert response.status_code == 400 and refusal in response.get_data(as_text=True)
    assert not (tmp_path / "partner_documents").exists()
    session.expire_all()
    assert session.get(PartnerTask, sent.task.id).status == "sent"
