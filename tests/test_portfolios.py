"""Portfolios through the API, the creditor portal, the back-office and the CLI."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from agency.models import Case, ColumnMapping, Portfolio
from agency.services.directory import create_token

FILE = ("N° dossier;Débiteur;NINEA;Montant;Date facture\n"
        "D-1;ASCOMA SA;SN123456;150 000;05/01/2026\n"
        "D-2;;;10;05/01/2026\n")


@pytest.fixture
def app_config(app, tmp_path):
    app.config["INTAKE_FOLDER"] = str(tmp_path / "uploads")
    yield app
    app.config.pop("INTAKE_FOLDER", None)


def upload(data: str | bytes, name: str = "portefeuille.csv"):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return (io.BytesIO(raw), name)


def test_the_api_answers_202_then_the_status_document(app_config, client, session, scope,
                                                      make_creditor):
    own, other = make_creditor("APIOWN"), make_creditor("APIOTHER")
    _, token = create_token(session, creditor=own.code)
    _, foreign = create_token(session, creditor=other.code)
    session.commit()
    response = client.post("/api/v1/portfolios", headers={"Authorization": f"Bearer {token}"},
                           data={"file": upload(FILE)}, content_type="multipart/form-data")
    assert response.status_code == 202
    body = response.get_json()
    assert body["status_url"] == f"/api/v1/portfolios/{body['id']}"
    status = client.get(body["status_url"], headers={"Authorization": f"Bearer {token}"}).get_json()
    assert status["status"] == "done"
    assert {k: status[k] for k in ("rows", "imported", "updated", "rejected", "cases_created",
                                   "debtors_created")} == {
        "rows": 2, "imported": 1, "updated": 0, "rejected": 1, "cases_created": 1,
        "debtors_created": 1}
    assert status["errors"] == [{"line": 3, "column": "Débiteur",
                                 "message": "Nom du débiteur manquant."}]
    assert client.get(body["status_url"], headers={
        "Authorization": f"Bearer {foreign}"}).status_code == 404


def test_the_api_takes_a_mapping_and_refuses_a_missing_file(app_config, client, session, scope,
                                                           make_creditor):
    own = make_creditor("APIMAP")
    _, token = create_token(session, creditor=own.code)
    session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/portfolios", headers=auth, data={},
                       content_type="multipart/form-data").status_code == 400
    mapping = json.dumps({"Qui": "debtor_name", "Combien": "amount"})
    response = client.post("/api/v1/portfolios", headers=auth, content_type="multipart/form-data",
                           data={"file": upload("Qui;Combien\nAwa Diop;1000\n"), "mapping": mapping})
    assert response.status_code == 202
    status = client.get(response.get_json()["status_url"], headers=auth).get_json()
    assert status["imported"] == 1
    assert session.get(ColumnMapping, own.id).mapping["Qui"] == "debtor_name"


def test_a_creditor_imports_and_sees_only_its_own(app_config, client, session, scope, login,
                                                 make_creditor, make_user):
    own, other = make_creditor("PORTAL"), make_creditor("PORTALX")
    user, stranger = make_user("creditor", creditor=own.code), make_user("creditor", creditor=other.code)
    session.commit()
    login(user)
    response = client.post("/portal/portfolios", data={"file": upload(FILE)},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(response.location)
    assert page.status_code == 200 and "Compte rendu" in page.get_data(as_text=True)
    csv_url = response.location + "/rejected.csv"
    rejected = client.get(csv_url).get_data(as_text=True)
    assert rejected.startswith("\ufeffN° dossier;Débiteur;NINEA;Montant;Date facture;Motif du rejet")
    assert "D-2;;;10;05/01/2026;Débiteur : Nom du débiteur manquant." in rejected
    client.get("/logout")
    login(stranger)
    assert client.get(response.location).status_code == 404
    assert client.get(csv_url).status_code == 404
    assert "ASCOMA" not in client.get("/portal/").get_data(as_text=True)


def test_the_same_debtor_for_two_creditors_each_sees_only_its_case(
        app_config, client, session, scope, login, make_creditor, make_user):
    first, second = make_creditor("TWOA"), make_creditor("TWOB")
    users = [make_user("creditor", creditor=c.code) for c in (first, second)]
    tokens = [create_token(session, creditor=c.code)[1] for c in (first, second)]
    session.commit()
    for token, ref in zip(tokens, ("A-1", "B-1")):
        client.post("/api/v1/portfolios", headers={"Authorization": f"Bearer {token}"},
                    content_type="multipart/form-data",
                    data={"file": upload(f"Dossier;Débiteur;NINEA;Montant\n{ref};ASCOMA;SN1;100\n")})
    cases = session.scalars(select(Case).where(Case.creditor_id.in_([first.id, second.id]))).all()
    assert len(cases) == 2 and len({c.debtor_id for c in cases}) == 1
    listed = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {tokens[0]}"}).get_json()
    assert [c["external_ref"] for c in listed["cases"]] == ["A-1"]
    login(users[1])
    page = client.get("/portal/").get_data(as_text=True)
    assert "B-1" in page and "A-1" not in page


def test_the_backoffice_maps_columns_then_imports(app_config, client, session, scope, login,
                                                 make_creditor, make_user):
    creditor = make_creditor("BACK")
    agent = make_user("agent", team="amicable")
    session.commit()
    login(agent)
    response = client.post("/portfolios", content_type="multipart/form-data", data={
        "creditor": "BACK", "file": upload("Qui;Combien;Note\nAwa Diop;1000;vip\n")})
    assert response.status_code == 302 and response.location.endswith("/mapping")
    page = client.get(response.location).get_data(as_text=True)
    assert "Colonnes obligatoires" in page
    response = client.post(response.location, data={
        "header": ["Qui", "Combien", "Note"], "field": ["debtor_name", "amount", "extra"],
        "save": "1"})
    assert response.status_code == 302
    portfolio = session.scalar(select(Portfolio).where(Portfolio.creditor_id == creditor.id))
    assert (portfolio.status, portfolio.imported) == ("done", 1)
    assert session.get(ColumnMapping, creditor.id).mapping["Combien"] == "amount"
    case = session.scalar(select(Case).where(Case.creditor_id == creditor.id))
    assert case.claims[0].extra == {"Note": "vip"}


def test_the_backoffice_refuses_a_pdf_at_once(app_config, client, session, scope, login,
                                              make_creditor, make_user):
    make_creditor("PDFR")
    login(make_user("team_lead", team="amicable"))
    response = client.post("/portfolios", content_type="multipart/form-data", data={
        "creditor": "PDFR", "file": upload(b"%PDF-1.4 binary", "liste.csv")})
    page = client.get(response.location).get_data(as_text=True)
    assert "refusé" in page and "PDF" in page


def test_the_cli_imports_and_prints_one_json_document(runner, session, scope, make_creditor,
                                                      tmp_path):
    make_creditor("CLI")
    session.commit()
    path = tmp_path / "cli.csv"
    path.write_text(FILE, encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"NINEA": "company_id"}))
    result = runner.invoke(["import", str(path), "--creditor", "cli", "--mapping", str(mapping),
                            "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["imported"], document["rejected"], document["rows"]) == (1, 1, 2)
    assert document["errors"][0]["line"] == 3
    again = json.loads(runner.invoke(["import", str(path), "--creditor", "CLI", "--json"]).output)
    assert (again["imported"], again["unchanged"], again["cases_created"]) == (0, 1, 0)
    pdf = tmp_path / "faux.csv"
    pdf.write_bytes(b"%PDF-1.5\n")
    refused = runner.invoke(["import", str(pdf), "--creditor", "CLI", "--json"])
    assert refused.exit_code == 1 and json.loads(refused.output)["status"] == "refused"
