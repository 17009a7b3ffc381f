"""An access request is answered within the platform: everything held about a debtor, as JSON
and as a readable PDF, for admins and the direction, each export logged and audited."""
import io
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from agency.models import AuditEvent, CallLog, PaymentPromise, PersonalDataAccess
from agency.services.messages import queue_message
from tests.conftest import T0


def debtor_with_history(session, make_case, make_debtor, make_user):
    debtor = make_debtor("Awa Diop", emails=("awa@example.sn",), national_id="1234567890123")
    case = make_case(debtor=debtor, amounts=(150_000, 50_000))
    agent = make_user("agent")
    session.add_all([
        CallLog(case_id=case.id, debtor_id=debtor.id, agent_id=agent.id, at=T0, outcome="promise",
                reached=True, note="Paiera après la paie du mois"),
        PaymentPromise(case_id=case.id, promised_date=date(2026, 3, 31), amount_minor=50_000,
                       currency="XOF", status="open", created_at=T0, note="virement"),
    ])
    queue_message(session, channel="sms", to=debtor.phones[0].e164, body="Rappel de votre dossier",
                  debtor=debtor, case=case, idempotency_key="export-sms")
    session.flush()
    return debtor, case


def test_direction_exports_a_debtor_as_json(client, login, session, scope, make_case, make_debtor, make_user):
    debtor, case = debtor_with_history(session, make_case, make_debtor, make_user)
    login(make_user("direction"))
    response = client.get(f"/debtors/{debtor.id}/export.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    document = response.get_json()
    assert document["debtor"]["name"] == "Awa Diop" and document["debtor"]["national_id"] == "1234567890123"
    assert document["debtor"]["emails"] == [{"email": "awa@example.sn", "status": "valid"}]
    [held] = document["cases"]
    assert held["reference"] == case.reference
    assert [e["amount_minor"] for e in held["ledger"]] == [150_000, 50_000]
    assert held["calls"][0]["note"] == "Paiera après la paie du mois"
    assert held["promises"][0]["amount_minor"] == 50_000
    [message] = held["messages"]
    assert "/d/stop/••••••" in message["body"] and "[[" not in message["body"]
    # the export itself is logged (access log) and audited (trail)
    log = session.scalars(select(PersonalDataAccess).where(PersonalDataAccess.channel == "export")).all()
    assert [(r.debtor_id, r.route) for r in log] == [(debtor.id, "backoffice.export_json")]
    event = session.scalar(select(AuditEvent).where(AuditEvent.verb == "privacy.exported"))
    assert event.debtor_id == debtor.id and event.changes["format"] == [None, "json"]
    # a second export lists the first among the reads of the data
    again = client.get(f"/debtors/{debtor.id}/export.json").get_json()
    assert {"channel": "export", "by": "agency"} == {k: again["accesses"][-1][k] for k in ("channel", "by")}


def test_admin_exports_a_readable_pdf_in_french(client, login, session, scope, make_case, make_debtor, make_user):
    debtor, case = debtor_with_history(session, make_case, make_debtor, make_user)
    login(make_user("admin"))
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert f"/debtors/{debtor.id}/export.pdf" in page
    response = client.get(f"/debtors/{debtor.id}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("Données personnelles détenues", "Awa Diop", "1234567890123", "awa@example.sn",
                     debtor.phones[0].e164, case.reference, "Paiera après la paie du mois",
                     "Promesses de paiement", "Consultations de vos données", "Fiche dossier"):
        assert expected in text, expected
    assert session.scalar(select(AuditEvent.changes).where(AuditEvent.verb == "privacy.exported")) == {
        "format": [None, "pdf"], "cases": [None, 1]}


def test_agents_and_creditors_cannot_export(client, login, session, scope, make_case, make_creditor, make_user):
    case = make_case(make_creditor("MINE"))
    login(make_user("agent"))
    assert client.get(f"/debtors/{case.debtor_id}/export.json").status_code == 403
    assert f"/debtors/{case.debtor_id}/export" not in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    login(make_user("creditor", creditor="MINE"))
    assert client.get(f"/debtors/{case.debtor_id}/export.pdf").status_code == 403
    login(make_user("admin"))
    assert client.get("/debtors/999999/export.json").status_code == 404
