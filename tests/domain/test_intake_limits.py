"""A portfolio file's limits: refused before any parser sees it, naming the limit."""
from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agency import config
from agency.domain.intake import (IntakeContext, IntakeLimits, LimitError, NotATableError,
                                  RawRow, RowNormaliser, guess_columns, open_table)
from bench._abuse_files import shared_strings_bomb, sheet_bomb, wide_sheet

MB = 1 << 20


def _peak_rss() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM to the current RSS


@pytest.fixture
def parsers_forbidden(monkeypatch):
    """Any XLSX parser opened during the test fails it: the refusal must come first."""
    import python_calamine

    from agency.domain.intake import xlsxfile

    def refuse(*args, **kwargs):
        raise AssertionError("a parser opened the file before its limits were checked")
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse)
    monkeypatch.setattr(xlsxfile.openpyxl, "load_workbook", refuse)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    return {"sheet": sheet_bomb(folder / "bombe.xlsx"),
            "strings": shared_strings_bomb(folder / "chaines.xlsx", unpacked_mb=120),
            "wide": wide_sheet(folder / "large.xlsx", columns=10_000)}


def test_the_issues_sheet_bomb_is_refused_from_its_zip_directory(bombs, parsers_forbidden):
    path = bombs["sheet"]
    assert path.stat().st_size < 400_000  # a small file...
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size > 55 * MB  # big
    _reset_peak()
    before = _peak_rss()
    with pytest.raises(LimitError, match=r"xl/worksheets/sheet1\.xml.*limite : 50 Mo par partie"):
        open_table(path, "bombe.xlsx")
    assert _peak_rss() - before < 20 * MB


def test_a_shared_strings_bomb_is_refused_before_any_string_is_read(bombs, parsers_forbidden):
    _reset_peak()
    before = _peak_rss()
    with pytest.raises(LimitError, match=r"xl/sharedStrings\.xml.*limite : 50 Mo par partie"):
        open_table(bombs["strings"], "chaines.xlsx")
    assert _peak_rss() - before < 20 * MB


def test_a_part_too_compressed_is_refused_even_under_the_size_limits(tmp_path, parsers_forbidden):
    path = sheet_bomb(tmp_path / "dense.xlsx", rows=150_000)  # ~10 MB of XML
    with pytest.raises(LimitError, match="anormalement compressé.*limite : 100 fois"):
        open_table(path, "dense.xlsx")


def test_the_total_unpacked_size_and_the_number_of_parts_are_limited(tmp_path, parsers_forbidden):
    path = sheet_bomb(tmp_path / "moyen.xlsx", rows=100_000)
    with pytest.raises(LimitError, match=r"une fois décompressé \(limite : 5 Mo\)"):
        open_table(path, "moyen.xlsx", limits=IntakeLimits(max_unpacked_mb=5, max_ratio=10_000))
    with pytest.raises(LimitError, match="parties"):
        open_table(path, "moyen.xlsx", limits=IntakeLimits(max_parts=4, max_ratio=10_000))


def _lying(data: bytes, name: str, declared: int) -> bytes:
    """The zip with ``name``'s unpacked size declared as ``declared`` (both headers)."""
    raw = bytearray(data)
    encoded = name.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := raw.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if raw[name_at:name_at + len(encoded)] == encoded:
                raw[start + offset:start + offset + 4] = declared.to_bytes(4, "little")
            start += 4
    return bytes(raw)


def test_a_zip_that_lies_about_a_size_is_unreadable(tmp_path, parsers_forbidden):
    data = sheet_bomb(tmp_path / "ment.xlsx", rows=20_000).read_bytes()
    lying = _lying(data, "xl/worksheets/sheet1.xml", 1000)
    assert zipfile.ZipFile(io.BytesIO(lying)).getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    with pytest.raises(NotATableError, match="illisible"):
        open_table(lying, "ment.xlsx")


def test_ten_thousand_columns_refuse_the_file_at_the_first_wide_row(bombs):
    with open_table(bombs["wide"], "large.xlsx") as table:
        assert len(table.header) == 4
        with pytest.raises(LimitError, match="La ligne 2 a 10000 colonnes.*limite : 200"):
            table.check_shape()
    header = ";".join(f"C{n}" for n in range(10_000)).encode()
    with pytest.raises(LimitError, match="La ligne 1 a 10002 colonnes"):
        open_table(b"Nom;Montant;" + header + b"\nAwa;1\n", "large.csv")


def _csv(rows: int) -> bytes:
    return ("Nom;Montant\n" + "".join(f"Débiteur {n};{n + 1}\n" for n in range(rows))).encode()


def test_rows_beyond_the_limit_refuse_the_file_before_it_is_imported():
    limits = IntakeLimits(max_rows=20)
    with open_table(_csv(20), "f.csv", limits=limits) as table:
        table.check_shape()
    with open_table(_csv(21), "f.csv", limits=limits) as table, pytest.raises(
            LimitError, match="dépasse 20 lignes"):
        table.check_shape()


def test_rows_are_counted_not_lines(tmp_path):
    """Blank lines and a stray far cell do not count; the exact pass runs then."""
    limits = IntakeLimits(max_rows=3)
    with open_table(b"Nom;Montant\n\n\n\nA;1\n\n\nB;2\n\n\nC;3\n\n", "f.csv", limits=limits) as table:
        table.check_shape()
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (("Nom", "Montant"), ("A", 1), ("B", 2), ("C", 3)):
        sheet.append(row)
    sheet.cell(row=5000, column=1, value=" ")
    book.save(tmp_path / "f.xlsx")
    with open_table(tmp_path / "f.xlsx", "f.xlsx", limits=limits) as table:
        table.check_shape()
    sheet.cell(row=6000, column=1, value="D")
    sheet.cell(row=6000, column=2, value=4)
    book.save(tmp_path / "f.xlsx")
    with open_table(tmp_path / "f.xlsx", "f.xlsx", limits=limits) as table, pytest.raises(
            LimitError, match="dépasse 3 lignes"):
        table.check_shape()


def test_a_csv_file_is_held_to_the_unpacked_size():
    with pytest.raises(LimitError, match=r"Fichier trop volumineux : 1,1 Mo \(limite : 1 Mo\)"):
        open_table(b"Nom;Montant\n" + b"Awa Diop;1000\n" * 80_000, "f.csv",
                   limits=IntakeLimits(max_unpacked_mb=1))


def _normaliser(limit: int, header=("Dossier", "Nom", "Montant")) -> RowNormaliser:
    context = IntakeContext(currency="XOF", country="SN", today=date(2026, 3, 1),
                            max_claims_per_case=limit)
    return RowNormaliser(guess_columns(header), context)


def test_a_case_takes_claims_up_to_its_limit_then_rows_are_rejected_with_their_line():
    normaliser = _normaliser(3)
    outcomes = [normaliser.normalise(RawRow(line, (case, "Awa Diop", "1000")))
                for line, case in enumerate(["D-1", "D-1", "D-2", "D-1", "D-1", "D-2"], start=2)]
    assert [o.ok for o in outcomes] == [True, True, True, True, False, True]
    refused = outcomes[4].errors[0]
    assert (refused.line, refused.column) == (6, "Dossier")
    assert refused.message == ("Le dossier D-1 a atteint 3 créances (limite par dossier) : "
                               "ligne non importée.")


@settings(max_examples=60, deadline=None)
@given(cases=st.lists(st.sampled_from(["A", "B", "C"]), max_size=40), limit=st.integers(1, 6))
def test_exactly_the_rows_beyond_each_cases_limit_are_rejected(cases, limit):
    normaliser = _normaliser(limit)
    seen: dict[str, int] = {}
    for line, case in enumerate(cases, start=2):
        seen[case] = seen.get(case, 0) + 1
        outcome = normaliser.normalise(RawRow(line, (case, f"Débiteur {case}", str(line))))
        assert outcome.ok == (seen[case] <= limit)


def test_limits_come_from_the_configuration_with_defaults_for_real_portfolios():
    limits = IntakeLimits.from_config({"INTAKE_MAX_ROWS": "10", "INTAKE_MAX_COLUMNS": 30})
    assert (limits.max_rows, limits.max_columns, limits.max_claims_per_case) == (10, 30, 5000)
    assert IntakeLimits() == IntakeLimits(max_unpacked_mb=500, max_part_mb=50, max_ratio=100,
                                          max_parts=1000, max_rows=1_000_000, max_columns=200,
                                          max_line_kb=1024, max_claims_per_case=5000)
    assert set(IntakeLimits.config_keys().values()) == set(config.INTAKE_LIMITS)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert all(f"`{key}`" in readme for key in config.INTAKE_LIMITS)
    with pytest.raises(ValueError):
        IntakeLimits.from_config({"INTAKE_MAX_ROWS": "0"})
