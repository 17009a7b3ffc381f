"""The creditors' pages: the list's onboarding state, a creditor's sections editable by admin
and direction and read by team leads, each refusal beside its field, the mandate's document
up and down, and the case page saying when contact is blocked."""
from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from agency.domain.timezones import local_date, now_utc
from agency.models import AuditEvent, CreditorMandate, CreditorTerms
from agency.services.creditors.terms import terms_in_force

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def post_section(client, creditor, section, fields, *, path=None, **kwargs):
    """Post one section's form as the page would: its fields under its prefix, its token."""
    token, page = client.csrf_token(f"/creditors/{creditor.code}")
    data = {f"{section}-{name}": value for name, value in fields.items()}
    data[f"{section}-csrf_token"] = token
    url = path or f"/creditors/{creditor.code}/terms/{section}"
    return client.post(url, data=data, headers={"Referer": page}, **kwargs)


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_list_shows_each_onboarding_with_words(client, login, make_user, make_creditor):
    make_creditor("LYON", country="FR", currency="EUR", jurisdiction="fr")
    make_creditor("DKR", playbook="clinic-po02", jurisdiction="ohada")
    login(make_user("team_lead"))
    html = client.get("/creditors").get_data(as_text=True)
    row = re.search(r'<tr data-code="LYON">.*?</tr>', html, re.S).group(0)
    for words in ("Mandat manquant", "Aucune procédure", "Aucun utilisateur", "Aucun jeton d&#39;API",
                  "Contact bloqué", "France"):
        assert words in row, words
    dakar = re.search(r'<tr data-code="DKR">.*?</tr>', html, re.S).group(0)
    assert "clinic-po02" in dakar and "Aucune procédure" not in dakar and "Contact bloqué" not in dakar


def test_admin_sets_terms_an_invalid_one_is_refused_beside_its_field(client, session, login,
                                                                      make_user, make_creditor):
    creditor = make_creditor("CNSS", country="MA", currency="MAD", playbook="public-fund-monthly")
    login(make_user("admin"))
    page = client.get("/creditors/CNSS").get_data(as_text=True)
    assert 'name="commission-commission_amicable"' in page and "Enregistrer" in page
    before = (count(session, CreditorTerms), count(session, AuditEvent))
    fields = {"commission_amicable": "-8 %", "commission_judicial": "8 %", "cap": "30 000,00 EUR",
              "fixed_fee": "0", "vat": "20 %", "remittance_days": "30", "payment_term_days": "30",
              "reason": "contrat"}
    refused = post_section(client, creditor, "commission", fields)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert re.search(r'id="commission-commission_amicable-error">Un taux ne peut pas être négatif', html)
    assert re.search(r'id="commission-cap-error">Montant en EUR', html)
    assert 'value="-8 %"' in html  # what was typed stays in the form
    assert (count(session, CreditorTerms), count(session, AuditEvent)) == before
    fields.update(commission_amicable="8 %", cap="30 000,00")
    done = post_section(client, creditor, "commission", fields)
    assert done.status_code == 302 and done.location.endswith("/creditors/CNSS#commission")
    terms = terms_in_force(session, creditor.id, local_date(now_utc(), creditor.timezone))
    assert terms.commission_bp["amicable"] == 800 and terms.cap_minor == 3_000_000
    assert terms.vat_bp == 2000
    page = client.get("/creditors/CNSS").get_data(as_text=True)
    assert "Conditions enregistrées" in page and page.count("<tr><td>") >= 2  # two versions


def test_plan_bounds_and_playbook_sections(client, session, login, make_user, make_creditor, make_case):
    creditor = make_creditor("CLIN", playbook="clinic-po02")
    make_case(creditor, amounts=(12_000_000,), segment="P")
    login(make_user("direction"))
    refused = post_section(client, creditor, "plan", {
        "max_instalments": "24", "min_instalment": "5 000", "max_months": "6", "days": "5, 15, 30",
        "partial_payment_min": "10 000", "discount_max": "10 %"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="plan-days-error">Doit être compris entre 1 et 28' in html
    refused = post_section(client, creditor, "plan", {
        "max_instalments": "24", "min_instalment": "5 000", "max_months": "6", "days": "5, 15, 25",
        "partial_payment_min": "10 000", "discount_max": "10 %"})
    assert 'id="plan-max_instalments-error">24 mensualités ne tiennent pas en 6 mois' in \
        refused.get_data(as_text=True)
    moved = post_section(client, creditor, "playbook", {
        "playbook": "clinic-po02", "segments_mode": "own", "basis": "balance",
        "bands": "G ; 10 000 000 ; Gros\nM ; 1 000 000\nP ; 0"})
    assert moved.status_code == 302
    page = client.get(moved.location).get_data(as_text=True)
    assert "1 dossier(s) en cours modifié(s) : 1 changé(s) de segment" in page
    unknown = post_section(client, creditor, "playbook", {
        "playbook": "clinic-po02", "segments_mode": "own", "basis": "balance",
        "bands": "X ; 0"})
    assert 'id="playbook-bands-error">La procédure clinic-po02 ne connaît pas' in unknown.get_data(as_text=True)


def test_team_leads_read_agents_and_creditors_do_not_reach(client, session, login, make_user,
                                                           make_creditor):
    creditor = make_creditor("RO", playbook="clinic-po02")
    login(make_user("team_lead"))
    page = client.get("/creditors/RO").get_data(as_text=True)
    assert "Lecture seule" in page and "<fieldset disabled>" in page
    assert "Enregistrer le mandat" not in page and "btn-primary" not in page
    assert post_section(client, creditor, "commission", {"vat": "5 %"}).status_code == 403
    client.post("/logout")
    login(make_user("agent"))
    assert client.get("/creditors/RO").status_code == 403
    client.post("/logout")
    login(make_user("creditor", creditor="RO"))
    assert client.get("/creditors/RO").status_code == 403
    assert client.get("/creditors").status_code == 403


def test_the_mandate_goes_up_with_its_pdf_and_comes_back(client, session, app, login, make_user,
                                                         make_creditor, make_case, tmp_path,
                                                         monkeypatch):
    monkeypatch.setitem(app.config, "MANDATE_FOLDER", str(tmp_path))
    creditor = make_creditor("LYON", country="FR", currency="EUR", jurisdiction="fr")
    case = make_case(creditor, amounts=(15_000,))
    login(make_user("admin"))
    assert "Contact bloqué" in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert 'id="contact-blocked"' in client.get("/creditors/LYON").get_data(as_text=True)
    fields = {"reference": "MDT-LYON-1", "signed_on": "2026-02-20", "basis": "Factures",
              "amount": "1 500,00", "fees": "12 %", "remittance_method": "virement",
              "remittance_days": "", "reason": ""}
    bad = post_section(client, creditor, "mandate", fields | {"document": (io.BytesIO(b"MZ\x90"), "x.exe")},
                       path="/creditors/LYON/mandate", content_type="multipart/form-data")
    assert bad.status_code == 400 and 'id="mandate-document-error"' in bad.get_data(as_text=True)
    assert count(session, CreditorMandate) == 0
    done = post_section(client, creditor, "mandate", fields | {"document": (io.BytesIO(PDF), "mandat.pdf")},
                        path="/creditors/LYON/mandate", content_type="multipart/form-data")
    assert done.status_code == 302
    row = session.scalar(select(CreditorMandate))
    assert row.reference == "MDT-LYON-1" and row.amount_minor == 150_000
    with client.get(f"/creditors/LYON/mandates/{row.id}/document") as download:
        assert download.status_code == 200 and download.data == PDF
        assert download.mimetype == "application/pdf"
        assert "mandat.pdf" in download.headers["Content-Disposition"]
    assert "Contact bloqué" not in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    other = make_creditor("OTHER")
    assert client.get(f"/creditors/OTHER/mandates/{row.id}/document").status_code == 404
    assert other.code == "OTHER"


def test_identity_changes_are_checked_and_audited(client, session, login, make_user, make_creditor):
    creditor = make_creditor("IDN")
    login(make_user("admin"))
    token, page = client.csrf_token("/creditors/IDN")
    refused = client.post("/creditors/IDN/identity", data={
        "identity-csrf_token": token, "identity-name": "", "identity-timezone": "Mars/Base",
        "identity-jurisdiction": "fr", "identity-language": "fr"}, headers={"Referer": page})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="identity-name-error">Obligatoire' in html
    assert 'id="identity-timezone-error">Fuseau horaire inconnu' in html
    done = client.post("/creditors/IDN/identity", data={
        "identity-csrf_token": token, "identity-name": "Nouvelle raison sociale",
        "identity-timezone": "Africa/Dakar", "identity-jurisdiction": "fr",
        "identity-language": "en", "identity-address": "1 rue de la Paix"}, headers={"Referer": page})
    assert done.status_code == 302
    session.refresh(creditor)
    assert (creditor.name, creditor.jurisdiction, creditor.language) == ("Nouvelle raison sociale", "fr", "en")
    event = session.scalar(select(AuditEvent).where(AuditEvent.verb == "creditor.changed"))
    assert event.changes["jurisdiction"] == [None, "fr"] and event.actor_label.startswith("user:")
