"""Uploads cannot exhaust the platform: refused files leave nothing behind, nothing is
stored before it is accepted, and no case grows beyond its claims limit."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agency.models import Case, Claim, Debtor, LedgerEntry, Portfolio, PortfolioRejection
from agency.services.directory import create_token
from bench._abuse_files import shared_strings_bomb, sheet_bomb, wide_sheet


@pytest.fixture
def uploads(app, tmp_path):
    folder = tmp_path / "uploads"
    app.config["INTAKE_FOLDER"] = str(folder)
    yield folder
    app.config.pop("INTAKE_FOLDER", None)
    for key in [k for k in app.config if k.startswith("INTAKE_MAX_")]:
        app.config.pop(key)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    return {"sheet": sheet_bomb(folder / "bombe.xlsx"),
            "strings": shared_strings_bomb(folder / "chaines.xlsx", unpacked_mb=120),
            "wide": wide_sheet(folder / "large.xlsx", columns=10_000)}


@pytest.fixture
def api(session, scope, make_creditor):
    creditor = make_creditor("LIMITS")
    _, token = create_token(session, creditor=creditor.code)
    session.commit()
    return creditor, {"Authorization": f"Bearer {token}"}


def stored(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def written(session, creditor) -> dict[str, int]:
    """What an import wrote for the creditor (beyond its portfolios' own rows)."""
    cases = select(Case.id).where(Case.creditor_id == creditor.id)
    portfolios = select(Portfolio.id).where(Portfolio.creditor_id == creditor.id)
    return {"cases": session.scalar(select(func.count()).select_from(cases.subquery())),
            "claims": session.scalar(select(func.count(Claim.id)).where(Claim.case_id.in_(cases))),
            "entries": session.scalar(select(func.count(LedgerEntry.id))
                                      .where(LedgerEntry.case_id.in_(cases))),
            "report_rows": session.scalar(select(func.count(PortfolioRejection.id))
                                          .where(PortfolioRejection.portfolio_id.in_(portfolios)))}


NOTHING = {"cases": 0, "claims": 0, "entries": 0, "report_rows": 0}


def post(client, headers, path: Path | bytes, name: str, **data):
    raw = path.read_bytes() if isinstance(path, Path) else path
    return client.post("/api/v1/portfolios", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(raw), name), **data})


@pytest.mark.parametrize("bomb,part", [("sheet", "xl/worksheets/sheet1.xml"),
                                       ("strings", "xl/sharedStrings.xml")])
def test_a_bomb_through_the_api_is_refused_at_once_and_nothing_is_kept(
        client, session, api, uploads, bombs, bomb, part):
    creditor, headers = api
    response = post(client, headers, bombs[bomb], "bombe.xlsx")
    assert response.status_code == 400
    assert f"« {part} »" in response.get_json()["error"]
    assert "limite : 50 Mo par partie" in response.get_json()["error"]
    assert stored(uploads) == []
    assert session.scalar(select(func.count(Portfolio.id))
                          .where(Portfolio.creditor_id == creditor.id)) == 0
    assert written(session, creditor) == NOTHING


def test_a_shared_strings_bomb_in_the_backoffice_is_refused_in_french(
        client, session, scope, login, make_creditor, make_user, uploads, bombs):
    make_creditor("BOMB")
    login(make_user("agent", team="amicable"))
    response = client.post("/portfolios", content_type="multipart/form-data", data={
        "creditor": "BOMB", "file": (io.BytesIO(bombs["strings"].read_bytes()), "garants.xlsx")})
    assert response.status_code == 302 and response.location.endswith("/portfolios")
    page = client.get(response.location).get_data(as_text=True)
    assert "Fichier refusé" in page and "sharedStrings.xml" in page and "50 Mo par partie" in page
    assert stored(uploads) == []


def test_ten_thousand_columns_are_refused_by_the_import_and_the_file_deleted(
        app, client, session, api, uploads, bombs):
    creditor, headers = api
    response = post(client, headers, bombs["wide"], "large.xlsx")
    assert response.status_code == 202  # the header is fine: the rows are read by the import
    status = client.get(response.get_json()["status_url"], headers=headers).get_json()
    assert status["status"] == "refused"
    assert status["message"] == "La ligne 2 a 10000 colonnes (limite : 200 colonnes par fichier)."
    assert stored(uploads) == []
    assert written(session, creditor) == NOTHING


def test_rows_beyond_the_files_limit_refuse_it_before_a_row_is_written(
        app, client, session, api, uploads):
    creditor, headers = api
    app.config["INTAKE_MAX_ROWS"] = 5
    rows = "".join(f"D-{n};Débiteur {n};1000\n" for n in range(6))
    response = post(client, headers, f"Dossier;Nom;Montant\n{rows}".encode(), "f.csv")
    status = client.get(response.get_json()["status_url"], headers=headers).get_json()
    assert (status["status"], status["rows"]) == ("refused", 0)
    assert "dépasse 5 lignes" in status["message"]
    assert stored(uploads) == []
    assert written(session, creditor) == NOTHING


@pytest.mark.parametrize("data,mapping,sheet,message", [
    (b"Dossier;Nom;Montant\nD-1;Awa;10\n", json.dumps({"Nom": "nom_inconnu"}), None,
     "Correspondance invalide"),
    (b"Dossier;Qui\nD-1;Awa\n", None, None, "montant"),
    (b"%PDF-1.4", None, None, "PDF"),
    (b"Dossier;Nom;Montant\nD-1;Awa;10\n", "{pas du json", None, "JSON"),
])
def test_a_request_failing_on_its_file_or_mapping_leaves_no_upload(
        client, session, api, uploads, data, mapping, sheet, message):
    creditor, headers = api
    extra = {"mapping": mapping} if mapping else {}
    for _ in range(3):
        response = post(client, headers, data, "f.csv", **extra)
        assert response.status_code == 400 and message in response.get_json()["error"]
    assert stored(uploads) == []
    assert session.scalar(select(func.count(Portfolio.id))
                          .where(Portfolio.creditor_id == creditor.id)) == 0


def test_an_unknown_sheet_is_refused_before_storing(client, session, api, uploads, tmp_path):
    _, headers = api
    path = sheet_bomb(tmp_path / "petit.xlsx", rows=3)
    response = post(client, headers, path, "petit.xlsx", sheet="Autre")
    assert response.status_code == 400 and "Créances" in response.get_json()["error"]
    assert stored(uploads) == []


def test_a_case_takes_claims_up_to_its_limit_within_a_file_and_across_files(
        app, client, session, api, uploads):
    creditor, headers = api
    app.config["INTAKE_MAX_CLAIMS_PER_CASE"] = 3
    first = "Dossier;Facture;Nom;Montant\nD-1;F-1;Awa Diop;100\nD-1;F-2;Awa Diop;200\n"
    status = client.get(post(client, headers, first.encode(), "a.csv").get_json()["status_url"],
                        headers=headers).get_json()
    assert (status["imported"], status["rejected"]) == (2, 0)
    second = ("Dossier;Facture;Nom;Montant\nD-1;F-1;Awa Diop;150\nD-1;F-3;Awa Diop;300\n"
              "D-1;F-4;Awa Diop;400\nD-2;F-5;Moussa Sow;500\nD-1;F-6;Awa Diop;600\n")
    status = client.get(post(client, headers, second.encode(), "b.csv").get_json()["status_url"],
                        headers=headers).get_json()
    assert (status["updated"], status["imported"], status["rejected"]) == (1, 2, 2)
    assert status["unchanged"] == 0
    assert status["errors"] == [
        {"line": 4, "column": None,
         "message": "Le dossier D-1 a atteint 3 créances (limite par dossier) : ligne non importée."},
        {"line": 6, "column": "Dossier",  # beyond it within this file already
         "message": "Le dossier D-1 a atteint 3 créances (limite par dossier) : ligne non importée."}]
    case = session.scalar(select(Case).where(Case.creditor_id == creditor.id,
                                             Case.external_ref == "D-1"))
    assert sorted(c.reference for c in case.claims) == ["F-1", "F-2", "F-3"]
    assert case.balance_minor == 150 + 200 + 300
    rejected = client.get(f"/api/v1/portfolios/{status['id']}", headers=headers).get_json()
    assert rejected["errors"][0]["line"] == 4
    many = "Dossier;Facture;Nom;Montant\n" + "".join(
        f"D-9;G-{n};Fatou Sarr;{n + 1}\n" for n in range(5))
    status = client.get(post(client, headers, many.encode(), "c.csv").get_json()["status_url"],
                        headers=headers).get_json()
    assert (status["imported"], status["rejected"]) == (3, 2)
    assert [e["line"] for e in status["errors"]] == [5, 6]
    assert all(e["column"] == "Dossier" for e in status["errors"])


def test_a_debtor_is_never_written_for_a_refused_file(client, session, api, uploads, bombs):
    creditor, headers = api
    before = session.scalar(select(func.count(Debtor.id)))
    post(client, headers, bombs["sheet"], "bombe.xlsx")
    post(client, headers, bombs["wide"], "large.xlsx")
    assert session.scalar(select(func.count(Debtor.id))) == before
