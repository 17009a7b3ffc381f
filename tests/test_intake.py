"""Portfolio intake through the service: real files, re-imports, updates, crashes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agency.models import (AuditEvent, Case, Claim, Debtor, DebtorEmail, DebtorPhone, LedgerEntry,
                           Portfolio)
from agency.services.intake import create_portfolio, import_file, run_portfolio, status_document
from agency.services.intake.report import rejected_csv

HEADER = "N° dossier;Référence facture;Débiteur;Téléphone;Email;Montant;Date facture;Échéance\n"


def write(tmp_path: Path, text: str, name: str = "portefeuille.csv",
          encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run_file(session, creditor, path, **kwargs):
    portfolio = import_file(session, creditor=creditor, path=str(path), commit=session.flush,
                            **kwargs)
    return status_document(session, portfolio)


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def balance_holds(session):
    """Every case's ledger sums to its claims (nothing paid in these tests)."""
    claims = dict(session.execute(select(Claim.case_id, func.sum(Claim.amount_minor))
                                  .group_by(Claim.case_id)).all())
    ledger = dict(session.execute(select(LedgerEntry.case_id, func.sum(LedgerEntry.amount_minor))
                                  .group_by(LedgerEntry.case_id)).all())
    return claims == ledger


SIMPLE = HEADER + (
    "D-1;F-1;Awa Diop;77 123 45 67;awa@example.sn;150 000;05/01/2026;05/02/2026\n"
    "D-1;F-2;Awa Diop;77 123 45 67;;50 000;06/01/2026;06/02/2026\n"
    "D-2;F-3;Société ASCOMA SA;33 800 00 00;;1 200 000;10/01/2026;\n"
    "D-3;F-4;;77 000 00 01;;10 000;10/01/2026;\n"
    "D-4;F-5;Moussa Ndiaye;;;-5;10/01/2026;\n"
    "D-5;F-6;Fatou Sarr;;;abc;10/01/2026;\n"
    "D-6;F-7;Ibou Fall;;;1000;32/13/2026;\n"
    "D-7;F-8;Ibou Fall;;;1000;10/02/2026;01/01/2026\n")


def test_a_csv_lands_with_its_rejected_rows_reported(session, scope, make_creditor, tmp_path):
    creditor = make_creditor("LEND")
    doc = run_file(session, creditor, write(tmp_path, SIMPLE))
    assert doc["status"] == "done"
    assert (doc["rows"], doc["imported"], doc["rejected"], doc["updated"]) == (8, 3, 5, 0)
    assert doc["cases_created"] == 2 and doc["debtors_created"] == 2
    lines = sorted({e["line"] for e in doc["errors"]})
    assert lines == [5, 6, 7, 8, 9]
    columns = {e["line"]: e["column"] for e in doc["errors"]}
    assert columns[5] == "Débiteur" and columns[6] == "Montant" and columns[8] == "Date facture"
    assert columns[9] == "Échéance"
    case = session.scalar(select(Case).where(Case.creditor_id == creditor.id,
                                             Case.external_ref == "D-1"))
    assert [c.amount_minor for c in case.claims] == [150_000, 50_000]
    assert case.phase == "amicable" and case.status == "open"
    assert [p.e164 for p in case.debtor.phones] == ["+221771234567"]
    assert balance_holds(session)
    created = count(session, AuditEvent, AuditEvent.verb == "case.created",
                     AuditEvent.creditor_id == creditor.id)
    assert created == 2
    assert count(session, AuditEvent, AuditEvent.verb == "ledger.claim",
                 AuditEvent.creditor_id == creditor.id) == 3


@pytest.mark.parametrize("encoding,bom", [("cp1252", False), ("latin-1", False), ("utf-8", True)])
def test_encodings_keep_the_accents(session, scope, make_creditor, tmp_path, encoding, bom):
    creditor = make_creditor()
    text = ("Débiteur;Montant;Référence\n"
            "Société Générale Sénégal;1 000;A-1\nCheikh Anta Diop Ndèye;2 500;A-2\n")
    path = write(tmp_path, ("\ufeff" if bom else "") + text, encoding=encoding)
    doc = run_file(session, creditor, path)
    assert (doc["imported"], doc["rejected"]) == (2, 0)
    names = set(session.scalars(select(Debtor.name).join(Case, Case.debtor_id == Debtor.id)
                                .where(Case.creditor_id == creditor.id)))
    assert names == {"Société Générale Sénégal", "Cheikh Anta Diop Ndèye"}


def test_an_xlsx_named_sheet_is_read(session, scope, make_creditor, tmp_path):
    import openpyxl
    from datetime import date
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    sheet = workbook.create_sheet("Impayés")
    sheet.append(["Nom", "Montant (F CFA)", "Date facture", "Tél"])
    sheet.append(["ASCOMA", 1_500_000, date(2026, 1, 5), "+221 33 800 00 00"])
    sheet.append(["AXA", 45_000, 46000, "77 111 22 33"])  # an Excel serial date
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    creditor = make_creditor()
    doc = run_file(session, creditor, path, sheet="Impayés")
    assert (doc["imported"], doc["rejected"], doc["sheet"]) == (2, 0, "Impayés")
    dates = sorted(session.scalars(select(Claim.issue_date).join(Case).where(
        Case.creditor_id == creditor.id)))
    assert dates[0] == date(2025, 12, 9) and dates[1] == date(2026, 1, 5)


@pytest.mark.parametrize("content,words", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    (b"", "vide"),
    (bytes(range(256)) * 8, "binaire"),
])
def test_a_file_that_is_not_a_table_is_refused_and_nothing_written(
        session, scope, make_creditor, tmp_path, content, words):
    creditor = make_creditor()
    path = tmp_path / "portefeuille.csv"
    path.write_bytes(content)
    before = count(session, Debtor)
    doc = run_file(session, creditor, path)
    assert doc["status"] == "refused" and words in doc["message"]
    assert doc["rows"] == 0 and count(session, Debtor) == before
    assert count(session, Case, Case.creditor_id == creditor.id) == 0


def test_reuploading_the_same_file_creates_nothing(session, scope, make_creditor, tmp_path):
    creditor = make_creditor()
    path = write(tmp_path, SIMPLE)
    run_file(session, creditor, path)
    totals = [count(session, m) for m in (Debtor, Case, Claim, LedgerEntry, DebtorPhone)]
    again = run_file(session, creditor, path)
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert (again["cases_created"], again["debtors_created"], again["rejected"]) == (0, 0, 5)
    assert [count(session, m) for m in (Debtor, Case, Claim, LedgerEntry, DebtorPhone)] == totals


def test_an_updated_file_updates_amounts_and_contacts(session, scope, make_creditor, tmp_path):
    creditor = make_creditor()
    run_file(session, creditor, write(tmp_path, SIMPLE))
    changed = SIMPLE.replace("D-1;F-2;Awa Diop;77 123 45 67;;50 000",
                             "D-1;F-2;Awa Diop;77 123 45 67;;40 000").replace(
        "D-2;F-3;Société ASCOMA SA;33 800 00 00;;", "D-2;F-3;Société ASCOMA SA;33 800 00 00;"
                                                    "contentieux@ascoma.sn;")
    doc = run_file(session, creditor, write(tmp_path, changed, "v2.csv"))
    assert (doc["imported"], doc["updated"], doc["unchanged"]) == (0, 2, 1)
    claim = session.scalar(select(Claim).join(Case).where(Case.creditor_id == creditor.id,
                                                          Claim.reference == "F-2"))
    assert claim.amount_minor == 40_000
    kinds = session.execute(select(LedgerEntry.kind, LedgerEntry.amount_minor)
                            .where(LedgerEntry.claim_id == claim.id).order_by(LedgerEntry.id)).all()
    assert kinds == [("claim", 50_000), ("adjustment", -10_000)]
    assert count(session, DebtorEmail, DebtorEmail.email == "contentieux@ascoma.sn") == 1
    assert balance_holds(session)


def test_a_crash_mid_file_then_a_rerun_finishes_without_duplicates(session, scope, make_creditor,
                                                                    tmp_path):
    creditor = make_creditor()
    rows = "".join(f"C-{n % 7};R-{n};Débiteur {n % 7};77 100 00 {n % 7:02d};;{1000 + n};"
                   "05/01/2026;\n" for n in range(40))
    path = write(tmp_path, HEADER + rows)
    from agency.services.intake import file_digest
    portfolio = create_portfolio(session, creditor=creditor, source="cli", filename="p.csv",
                                 stored_path=str(path), sha256=file_digest(path))
    calls = []

    def dying_commit():
        calls.append(1)
        if len(calls) == 4:  # start, chunk 1, chunk 2, then the process dies
            raise RuntimeError("killed")
        session.commit()

    with pytest.raises(RuntimeError):
        run_portfolio(session, portfolio, commit=dying_commit, chunk_size=7)
    session.rollback()
    assert portfolio.done_line == 15 and portfolio.imported == 14
    run_portfolio(session, portfolio, commit=session.commit, chunk_size=7)
    assert (portfolio.status, portfolio.rows, portfolio.imported) == ("done", 40, 40)
    assert count(session, Claim, Claim.case_id.in_(
        select(Case.id).where(Case.creditor_id == creditor.id))) == 40
    assert count(session, Case, Case.creditor_id == creditor.id) == 7
    assert balance_holds(session)


def test_the_same_debtor_across_two_creditors_is_one_record(session, scope, make_creditor, tmp_path):
    first, second = make_creditor("FIRST"), make_creditor("SECOND")
    run_file(session, first, write(tmp_path, "Nom;NINEA;Montant\nASCOMA SA;SN-123 456;1000\n"))
    doc = run_file(session, second, write(tmp_path, "Raison sociale;NINEA;Montant;Tél\n"
                                          "Ascoma;SN123456;2000;338000000\n", "b.csv"))
    assert doc["debtors_created"] == 0 and doc["cases_created"] == 1
    debtors = set(session.scalars(select(Case.debtor_id).where(
        Case.creditor_id.in_([first.id, second.id]))))
    assert len(debtors) == 1
    third = make_creditor("THIRD")
    doc = run_file(session, third, write(tmp_path, "Nom;Tél;Montant\nascoma;+221 33 800 00 00;5\n"
                                                   "Autre Nom;33 800 00 00;6\n", "c.csv"))
    assert doc["debtors_created"] == 1  # same phone, matching name: the same; another name: new


def test_the_clinic_guarantors_get_their_segment(session, scope, make_creditor, tmp_path):
    import csv
    from importlib import resources
    from agency.domain.segments import CLINIC_RULE
    source = resources.files("agency.services.demo").joinpath("data", "clinic_guarantors.csv")
    path = tmp_path / "garants.csv"
    path.write_bytes(source.read_bytes())
    creditor = make_creditor("CLINIC", terms={"segments": CLINIC_RULE.to_dict()})
    doc = run_file(session, creditor, path)
    assert (doc["imported"], doc["cases_created"], doc["rejected"]) == (63, 63, 0)
    expected = {row["garant"]: row["categorie"]
                for row in csv.DictReader(source.read_text("utf-8").splitlines(), delimiter=";")}
    found = dict(session.execute(select(Debtor.name, Case.segment).join(Case)
                                 .where(Case.creditor_id == creditor.id)).all())
    assert found == expected
    created = session.scalars(select(AuditEvent.changes).where(
        AuditEvent.verb == "case.created", AuditEvent.creditor_id == creditor.id)).all()
    assert len(created) == 63 and all("segment" in c for c in created)


def test_a_changed_amount_recomputes_the_segment(session, scope, make_creditor, tmp_path):
    from agency.domain.segments import CLINIC_RULE
    creditor = make_creditor("SEG", terms={"segments": CLINIC_RULE.to_dict()})
    run_file(session, creditor, write(tmp_path, "Garant;Montant\nASCOMA;10 000 000\nAXA;4 999 999\n"))
    segments = dict(session.execute(select(Debtor.name, Case.segment).join(Case)
                                    .where(Case.creditor_id == creditor.id)).all())
    assert segments == {"ASCOMA": "G", "AXA": "P"}
    doc = run_file(session, creditor, write(tmp_path, "Garant;Montant\nASCOMA;6 000 000\n"
                                                      "AXA;4 999 999\n", "v2.csv"))
    assert doc["updated"] == 1
    case = session.scalar(select(Case).join(Debtor).where(Case.creditor_id == creditor.id,
                                                          Debtor.name == "ASCOMA"))
    session.refresh(case)
    assert case.segment == "M"
    changed = session.scalars(select(AuditEvent.changes).where(
        AuditEvent.case_id == case.id, AuditEvent.verb == "case.changed")).all()
    assert {"segment": ["G", "M"]} in changed
