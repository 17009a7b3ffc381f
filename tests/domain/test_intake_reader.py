"""Reading creditors' files: CSV dialects and encodings, XLSX, line numbers, not-a-table."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from agency.domain.intake import (IntakeLimits, LimitError, NotATableError, SheetNotFoundError,
                                  list_sheets, open_table)
from agency.domain.intake import xlsxfile
from agency.domain.intake.csvfile import UNBALANCED
from agency.domain.intake.reader import REPEATED_HEADER


def rows_of(source, filename="portefeuille.csv", **options):
    with open_table(source, filename, **options) as table:
        return table.header, [(row.line, row.cells, row.problem) for row in table.rows()]


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- CSV dialects ---------------------------------------------------------------------------

@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_delimiters_are_sniffed(tmp_path, delimiter):
    text = delimiter.join(["Débiteur", "Montant", "Ville"]) + "\r\n"
    text += delimiter.join(["ACME", "1000", "Dakar"]) + "\r\n"
    text += delimiter.join(["BETA", "2000", "Thiès"]) + "\r\n"
    path = write(tmp_path, "f.csv", text.encode("utf-8"))
    with open_table(path, "f.csv") as table:
        assert table.delimiter == delimiter
        assert table.header == ("Débiteur", "Montant", "Ville")
        assert [(r.line, r.cells) for r in table.rows()] == [
            (2, ("ACME", "1000", "Dakar")), (3, ("BETA", "2000", "Thiès"))]


def test_semicolon_wins_over_decimal_commas():
    data = "Nom;Montant;Date\nA;1 234,56;01/02/2024\nB;12,5;02/02/2024\nC;7;03/02/2024\n".encode()
    with open_table(data, "f.csv") as table:
        assert table.delimiter == ";"


def test_the_delimiter_that_reveals_the_header_wins():
    with open_table(b"Nom;Montant;Date facture;Ref\n,\n0,\n", "f.csv") as table:
        assert table.delimiter == ";" and table.header == ("Nom", "Montant", "Date facture", "Ref")


def test_quoted_cells_keep_their_delimiters():
    data = b'Nom,Montant,Adresse\n"DIOP, Awa","1,234.56","Rue 10, Dakar"\n'
    _, rows = rows_of(data)
    assert rows == [(2, ("DIOP, Awa", "1,234.56", "Rue 10, Dakar"), None)]


def test_multiline_quoted_cell_keeps_line_numbers_of_later_rows():
    data = (b'Nom;Montant;Adresse\n'
            b'ACME;100;"Rue 1\nImmeuble B\nDakar"\n'
            b'BETA;200;Thi\xc3\xa8s\n')
    _, rows = rows_of(data)
    assert rows == [(2, ("ACME", "100", "Rue 1\nImmeuble B\nDakar"), None),
                    (5, ("BETA", "200", "Thiès"), None)]


def test_unbalanced_quote_does_not_swallow_the_rows_after_it():
    data = b'Nom;Montant;Ville\n"ACME;100;Dakar\nBETA;200;Thies\nGAMMA;300;Louga\n'
    _, rows = rows_of(data)
    assert rows[0] == (2, (), UNBALANCED)
    assert rows[1:] == [(3, ("BETA", "200", "Thies"), None), (4, ("GAMMA", "300", "Louga"), None)]


def test_unbalanced_quote_closed_much_later_is_contained():
    body = "".join(f"N{i};{i};V\n" for i in range(3, 40))
    data = ('Nom;Montant;Ville\n"OPEN;1;X\n' + body + 'late";9;Z\n').encode()
    _, rows = rows_of(data)
    good = [row for row in rows if row[2] is None]
    assert [line for line, _, _ in good][:37] == list(range(3, 40))
    assert rows[0] == (2, (), UNBALANCED)


def test_blank_lines_are_skipped_but_counted():
    _, rows = rows_of(b"Nom;Montant\n\nA;1\n;\n  ;  \nB;2\n")
    assert [(line, cells) for line, cells, _ in rows] == [(3, ("A", "1")), (6, ("B", "2"))]


def test_title_rows_before_the_header_are_skipped():
    data = "Liste des garants au 31/12/2024\n\nGarant;Montant facture\nASCOMA;51896617\n".encode()
    with open_table(data, "f.csv") as table:
        assert table.header_line == 3
        assert [(r.line, r.cells) for r in table.rows()] == [(4, ("ASCOMA", "51896617"))]


def test_a_repeated_header_row_is_reported():
    _, rows = rows_of(b"Nom;Montant\nA;1\nNom;Montant\nB;2\n")
    assert rows == [(2, ("A", "1"), None), (3, (), REPEATED_HEADER), (4, ("B", "2"), None)]


def test_old_mac_line_endings():
    _, rows = rows_of(b"Nom;Montant\rA;1\rB;2")
    assert [(line, cells) for line, cells, _ in rows] == [(2, ("A", "1")), (3, ("B", "2"))]


def test_rows_can_be_read_twice():
    with open_table(b"Nom;Montant\nA;1\n", "f.csv") as table:
        assert list(table.rows()) == list(table.rows())


# --- encodings ------------------------------------------------------------------------------

NAMES = ["Société Générale", "Éléonore N'Diaye", "Crédit Agricole", "Noël Façade"]


def _names_file(encoding: str, bom: bytes = b"") -> bytes:
    text = "Débiteur;Montant\r\n" + "".join(f"{name};{i}\r\n" for i, name in enumerate(NAMES, 1))
    return bom + text.encode(encoding)


@pytest.mark.parametrize("encoding, bom, detected", [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ("cp1252", b"", "cp1252"),
    ("latin-1", b"", "cp1252"),
])
def test_accented_names_come_out_right(encoding, bom, detected):
    with open_table(_names_file(encoding, bom), "f.csv") as table:
        assert table.encoding == detected
        assert table.header == ("Débiteur", "Montant")
        assert [row.cells[0] for row in table.rows()] == NAMES


def test_cp1252_specific_characters():
    data = "Nom;Montant;Note\nL’Oréal;100;coût 5 €\n".encode("cp1252")
    _, rows = rows_of(data)
    assert rows[0][1] == ("L’Oréal", "100", "coût 5 €")


def test_a_file_mixing_utf8_and_cp1252_lines():
    data = "Nom;Montant\n".encode() + "Hélène;1\n".encode("utf-8") + "Jérôme;2\n".encode("cp1252")
    _, rows = rows_of(data)
    assert [cells[0] for _, cells, _ in rows] == ["Hélène", "Jérôme"]


def test_bytes_undefined_in_cp1252_read_as_latin1():
    _, rows = rows_of(b"Nom;Montant\nA\x81B;1\n")
    assert rows[0][1][0] == "A\x81B"


def test_utf16_unicode_text_from_excel():
    data = "Débiteur\tMontant\r\nSociété Élevée\t1000\r\n".encode("utf-16")
    with open_table(data, "export.txt") as table:
        assert (table.encoding, table.delimiter) == ("utf-16", "\t")
        assert [r.cells for r in table.rows()] == [("Société Élevée", "1000")]


# --- sources --------------------------------------------------------------------------------

class OneWayStream(io.RawIOBase):
    """An upload stream that cannot seek."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_sources_path_bytes_file_object_and_unseekable_stream(tmp_path):
    data = b"Nom;Montant\nA;1\n"
    path = write(tmp_path, "f.csv", data)
    expected = [(2, ("A", "1"), None)]
    assert rows_of(path)[1] == expected
    assert rows_of(str(path))[1] == expected
    assert rows_of(data)[1] == expected
    stream = io.BytesIO(data)
    assert rows_of(stream)[1] == expected
    assert not stream.closed  # the caller's stream is the caller's to close
    assert rows_of(OneWayStream(data))[1] == expected


def test_estimate_rows_for_a_progress_bar():
    data = "Titre\nNom;Montant\n" + "".join(f"N{i};{i}\n" for i in range(500))
    with open_table(data.encode(), "f.csv") as table:
        assert table.estimate_rows() == 500


# --- XLSX -----------------------------------------------------------------------------------

@pytest.fixture(params=["calamine", "openpyxl"])
def engine(request, monkeypatch):
    """Run XLSX tests through both readers (openpyxl is the one for big sheets)."""
    if request.param == "openpyxl":
        monkeypatch.setattr(xlsxfile, "CALAMINE_MAX_SHEET_XML", -1)
    return request.param


def xlsx_bytes(build) -> bytes:
    workbook = openpyxl.Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _clinic_sheet(workbook):
    sheet = workbook.active
    sheet.title = "Garants"
    sheet.append(["Garant", "Montant", "Date de dépôt", "Téléphone", "Taux", "Payé"])
    sheet.append(["ASCOMA", 51896617.0, dt.datetime(2024, 1, 2), 771234567, 0.1 + 0.2, True])
    sheet.append(["AXA", 1234.56, dt.date(2024, 3, 4), "+221 77 000 00 00", 1e-7, False])
    sheet.append(["NSIA", 22287401, 45292, None, 12.5, None])


def test_xlsx_cells_become_exact_text_decimals_and_dates(engine):
    header, rows = rows_of(xlsx_bytes(_clinic_sheet), "g.xlsx")
    assert header == ("Garant", "Montant", "Date de dépôt", "Téléphone", "Taux", "Payé")
    assert rows == [
        (2, ("ASCOMA", "51896617", dt.date(2024, 1, 2), "771234567", Decimal("0.3"), "VRAI"), None),
        (3, ("AXA", Decimal("1234.56"), dt.date(2024, 3, 4), "+221 77 000 00 00",
             Decimal("1E-7"), "FAUX"), None),
        (4, ("NSIA", "22287401", "45292", None, Decimal("12.5")), None),
    ]


def _sheet_with_gaps(workbook):
    hidden = workbook.active
    hidden.title = "Brouillon"
    hidden.sheet_state = "hidden"
    hidden["A1"] = "rien"
    sheet = workbook.create_sheet("Créances")
    sheet["B3"], sheet["C3"] = "Nom", "Montant"
    sheet["B4"], sheet["C4"] = "A", 1
    sheet["B7"], sheet["C7"] = "B", 2
    workbook.create_sheet("Autre")["A1"] = "x"


def test_xlsx_line_numbers_are_excel_rows_and_hidden_sheets_are_skipped(engine):
    with open_table(xlsx_bytes(_sheet_with_gaps), "f.xlsx") as table:
        assert table.sheet == "Créances"
        assert table.header_line == 3
        assert [(r.line, r.cells) for r in table.rows()] == [(4, (None, "A", "1")), (7, (None, "B", "2"))]
        assert table.estimate_rows() == 4


def test_xlsx_named_sheet_ignores_case_and_accents(engine):
    data = xlsx_bytes(_sheet_with_gaps)
    with open_table(data, "f.xlsx", sheet="creances") as table:
        assert table.sheet == "Créances"
    assert list_sheets(data, "f.xlsx") == ["Brouillon", "Créances", "Autre"]
    with pytest.raises(SheetNotFoundError) as caught:
        open_table(data, "f.xlsx", sheet="Janvier")
    assert caught.value.sheets == ("Brouillon", "Créances", "Autre")
    assert "Janvier" in str(caught.value)


def test_list_sheets_of_a_csv_is_empty():
    assert list_sheets(b"Nom;Montant\nA;1\n", "f.csv") == []


def test_a_csv_named_xlsx_by_mistake_is_refused_clearly():
    with pytest.raises(NotATableError, match="n'est pas un classeur Excel"):
        open_table(b"Nom;Montant\nA;1\n", "f.xlsx")


def test_an_xlsx_named_csv_is_read_as_xlsx():
    with open_table(xlsx_bytes(_clinic_sheet), "f.csv") as table:
        assert table.kind == "xlsx"


# --- not a table ----------------------------------------------------------------------------

def _zip(names) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


NOT_TABLES = {
    "empty": b"",
    "blank": b"   \r\n\r\n  \n",
    "pdf renamed": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "binary": bytes(range(256)) * 8,
    "binary without nul": bytes(range(1, 32)) * 40,
    "one column of garbage": b"lorem\nipsum\ndolor\nsit amet\n",
    "headerless numbers": b"12;13;14\n15;16;17\n",
    "html export": b"<html><body><table><tr><td>Nom</td></tr></table></body></html>",
    "docx": _zip(["word/document.xml", "[Content_Types].xml"]),
    "ods": _zip(["content.xml", "mimetype"]),
    "broken xlsx": b"PK\x03\x04" + b"\x00" * 200,
    "fake workbook": _zip(["xl/workbook.xml"]),
    "old xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
    "rtf": b"{\\rtf1\\ansi Nom;Montant}",
}


@pytest.mark.parametrize("data", NOT_TABLES.values(), ids=NOT_TABLES.keys())
@pytest.mark.parametrize("filename", ["portefeuille.csv", "portefeuille.xlsx"])
def test_what_is_not_a_table_is_refused_with_a_message(data, filename):
    with pytest.raises(NotATableError) as caught:
        open_table(data, filename)
    assert len(caught.value.message) > 15
    assert str(caught.value) == caught.value.message


def test_messages_say_what_the_file_is():
    with pytest.raises(NotATableError, match="vide"):
        open_table(b"", "f.csv")
    with pytest.raises(NotATableError, match="PDF"):
        open_table(NOT_TABLES["pdf renamed"], "f.csv")
    with pytest.raises(NotATableError, match=r"\.xls"):
        open_table(NOT_TABLES["old xls"], "f.xls")
    with pytest.raises(NotATableError, match="en-tête"):
        open_table(NOT_TABLES["headerless numbers"], "f.csv")


def test_an_absurdly_long_line_is_refused():
    limits = IntakeLimits(max_line_kb=1)
    data = b"Nom;Montant\n" + b"A;1\n" * 40 + b"x;" * 2000 + b"\n"
    with open_table(data, "f.csv", limits=limits) as table, pytest.raises(
            LimitError, match="dépasse 1 Ko"):
        list(table.rows())
    with pytest.raises(LimitError, match="dépasse 1 Ko"):
        open_table(b"Nom;Montant\n" + b"x;" * 2000 + b"\n", "f.csv", limits=limits)
