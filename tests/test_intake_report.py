"""The import report: warnings listed with line and reason, a progress element the
Content-Security-Policy lets show, links to the cases created, every list a page at a time."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from agency.models import Case, Debtor, Portfolio
from agency.services.directory import create_token

CLINIC = ("Garant;Téléphone;Montant;Catégorie\n"
          "ASCOMA;33 800 00 00;1 500 000;G\n"
          "SAHAM ASSURANCE;12;250 000;G\n"
          "AXA;;abc;G\n"
          "SONATEL;pas un numéro;900 000;G\n"
          "Awa Diop;;10 000;P\n")


@pytest.fixture
def uploads(app, tmp_path):
    app.config["INTAKE_FOLDER"] = str(tmp_path / "uploads")
    yield
    app.config.pop("INTAKE_FOLDER", None)


def _report(client, login, make_user, code: str, text: str):
    login(make_user("agent", team="amicable"))
    response = client.post("/portfolios", content_type="multipart/form-data", data={
        "creditor": code, "file": (io.BytesIO(text.encode()), "garants.csv")})
    mapping = client.get(response.location).get_data(as_text=True)
    headers = re.findall(r'name="header" value="([^"]*)"', mapping)
    fields = re.findall(r'<select[^>]*name="field"[^>]*>.*?<option value="([^"]*)" selected',
                        mapping, re.S)
    response = client.post(response.location, data={"header": headers, "field": fields})
    return response.location, client.get(response.location).get_data(as_text=True)


def test_the_report_lists_warnings_and_links_its_cases(client, session, scope, login, make_user,
                                                      make_creditor, uploads):
    creditor = make_creditor("CLIN2")
    creditor.default_debtor_kind = "company"
    session.commit()
    url, page = _report(client, login, make_user, "CLIN2", CLINIC)
    assert 'id="count-warnings">2<' in page
    warnings = page.split('id="warnings-table"')[1].split("</table>")[0]
    assert "<td>3</td><td>Téléphone</td><td>Numéro de téléphone invalide ignoré : « 12 ».</td>" in warnings
    assert "<td>5</td><td>Téléphone</td>" in warnings and "pas un numéro" in warnings
    rejected = page.split('id="rejected-table"')[1].split("</table>")[0]
    assert "<td>4</td><td>Montant</td>" in rejected
    portfolio = session.scalar(select(Portfolio).where(Portfolio.creditor_id == creditor.id))
    cases = session.scalars(select(Case).where(Case.portfolio_id == portfolio.id)
                            .order_by(Case.id)).all()
    assert [c.external_ref for c in cases] == ["name:ascoma", "name:saham assurance",
                                               "name:sonatel", "name:awa diop"]
    listed = page.split('id="created-cases-table"')[1].split("</table>")[0]
    for case in cases:
        assert f'<a href="/cases/{case.reference}">{case.reference}</a></td><td>{case.external_ref}' in listed
    kinds = dict(session.execute(select(Debtor.name, Debtor.kind).join(Case, Case.debtor_id == Debtor.id)
                                 .where(Case.portfolio_id == portfolio.id)).all())
    assert kinds == {"ASCOMA": "company", "SAHAM ASSURANCE": "company", "SONATEL": "company",
                     "Awa Diop": "company"}  # the clinic's files describe companies
    assert client.get(f"/cases/{cases[0].reference}").status_code == 200


def test_progress_is_a_progress_element_and_the_page_has_no_inline_style(
        client, session, scope, login, make_user, make_creditor, uploads):
    make_creditor("PROG")
    session.commit()
    _, page = _report(client, login, make_user, "PROG", CLINIC)
    assert re.search(r'<progress[^>]*id="import-progress" max="100" value="100"', page)
    assert "style=" not in page


def test_each_list_of_the_report_is_a_page_at_a_time(client, session, scope, login, make_user,
                                                     make_creditor, uploads):
    creditor = make_creditor("MANY")
    session.commit()
    rows = "".join(f"D-{n};Débiteur {n};0{n % 10}12;{n + 1}\n" for n in range(130))
    bad = "".join(f"X-{n};;;1\n" for n in range(120))
    url, page = _report(client, login, make_user, "MANY", f"Dossier;Nom;Téléphone;Montant\n{rows}{bad}")
    assert page.count("Numéro de téléphone invalide") == 100
    assert page.count('href="/cases/RC-') == 100
    assert page.count("Nom du débiteur manquant.") == 100
    assert 'data-pager="warnings_page"' in page and 'data-pager="cases_page"' in page
    second = client.get(f"{url}?warnings_page=2&cases_page=2&errors_page=2").get_data(as_text=True)
    assert second.count("Numéro de téléphone invalide") == 30
    assert second.count('href="/cases/RC-') == 30
    assert second.count("Nom du débiteur manquant.") == 20
    _, token = create_token(session, creditor=creditor.code)
    session.commit()
    portfolio_id = url.rsplit("/", 1)[1]
    api = client.get(f"/api/v1/portfolios/{portfolio_id}?per_page=50&page=3",
                     headers={"Authorization": f"Bearer {token}"}).get_json()
    assert api["pagination"] == {"page": 3, "per_page": 50, "rejected_rows": 120,
                                 "warning_rows": 130, "pages": 3}
    assert (len(api["errors"]), len(api["row_warnings"])) == (20, 30)
    assert api["row_warnings"][0] == {"line": 102, "column": "Téléphone",
                                      "message": "Numéro de téléphone invalide ignoré : « 0012 »."}


def test_the_creditor_and_a_manager_set_the_default_debtor_kind(client, session, scope, login,
                                                                make_user, make_creditor):
    from agency.models import AuditEvent
    own, other = make_creditor("KINDA"), make_creditor("KINDB")
    user = make_user("creditor", creditor="KINDA")
    session.commit()
    login(user)
    assert "debtor-kind-setting" in client.get("/portal/portfolios").get_data(as_text=True)
    client.post("/portal/portfolios/debtor-kind", data={"kind": "company"})
    client.post("/portal/portfolios/debtor-kind", data={"kind": "robot"})
    session.expire_all()
    assert (own.default_debtor_kind, other.default_debtor_kind) == ("company", "person")
    event = session.scalar(select(AuditEvent).where(
        AuditEvent.verb == "creditor.default_debtor_kind", AuditEvent.creditor_id == own.id))
    assert event.changes == {"default_debtor_kind": ["person", "company"]}
    assert client.post(f"/creditors/{other.id}/debtor-kind",
                       data={"kind": "company"}).status_code in (302, 403)
    session.expire_all()
    assert other.default_debtor_kind == "person"
    client.post("/logout")
    login(make_user("direction"))
    client.post(f"/creditors/{other.id}/debtor-kind", data={"kind": "company"})
    session.expire_all()
    assert other.default_debtor_kind == "company"
