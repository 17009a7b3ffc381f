"""End to end through the service, random good and bad rows: every good row lands exactly
once, every bad row is reported with its line, and importing again creates nothing."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from agency.models import Case, Claim, Debtor, LedgerEntry
from agency.services.intake import import_file, status_document

NAMES = ["Awa Diop", "ASCOMA SA", "Moussa Ndiaye", "Société Générale", "Fatou Sarr", "Ndèye Fall"]
BAD = [("amount", ""), ("amount", "-5"), ("amount", "zéro"), ("date", "31/02/2025"),
       ("name", ""), ("due", "01/01/2020")]

good_row = st.tuples(st.sampled_from(NAMES), st.integers(1, 10**9), st.integers(1, 28),
                     st.integers(1, 12), st.sampled_from(["", "77 123 45 67", "+221 70 000 00 01"]))
row = st.one_of(st.tuples(st.just("good"), good_row),
                st.tuples(st.just("bad"), st.tuples(good_row, st.sampled_from(BAD))))


def render(rows) -> tuple[str, set[int], set[int]]:
    lines, good, bad = ["Dossier;Réf;Débiteur;Téléphone;Montant;Date facture;Échéance"], set(), set()
    for index, (kind, data) in enumerate(rows):
        (name, amount, day, month, phone), problem = (data, None) if kind == "good" else data
        cells = {"name": name, "amount": f"{amount:,}".replace(",", " "),
                 "date": f"{day:02d}/{month:02d}/2025", "due": ""}
        if problem:
            cells[problem[0]] = problem[1]
        line = index + 2
        lines.append(f"D-{index % 4};R-{index};{cells['name']};{phone};{cells['amount']};"
                     f"{cells['date']};{cells['due']}")
        (bad if problem else good).add(line)
    return "\n".join(lines) + "\n", good, bad


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, min_size=1, max_size=25))
def test_random_files_land_exactly_once(session, scope, make_creditor, tmp_path_factory, rows):
    creditor = make_creditor()
    text, good, bad = render(rows)
    path = tmp_path_factory.mktemp("fuzz") / "p.csv"
    path.write_text(text, encoding="utf-8")
    doc = status_document(session, import_file(session, creditor=creditor, path=str(path),
                                               commit=session.flush))
    assert doc["status"] == "done" and doc["imported"] == len(good)
    assert {e["line"] for e in doc["errors"]} == bad and doc["rejected"] == len(bad)
    claims = session.scalars(select(Claim.reference).join(Case).where(
        Case.creditor_id == creditor.id)).all()
    assert sorted(claims) == sorted(f"R-{line - 2}" for line in good)
    totals = [session.scalar(select(func.count()).select_from(m)) for m in (Debtor, Case, Claim, LedgerEntry)]
    path2 = path.with_name("again.csv")
    path2.write_text(text, encoding="utf-8")
    again = status_document(session, import_file(session, creditor=creditor, path=str(path2),
                                                 commit=session.flush))
    assert again["imported"] == 0 and again["updated"] == 0 and again["unchanged"] == len(good)
    assert [session.scalar(select(func.count()).select_from(m))
            for m in (Debtor, Case, Claim, LedgerEntry)] == totals
