"""Hostile portfolio files, small on the wire and huge unpacked (bench.abuse and the tests).

- ``sheet_bomb``: the shape of issue #11's file, a ~250 KB XLSX whose sheet unpacks to
  ~60 MB of one repeated row (900,000 claims of one case);
- ``shared_strings_bomb``: a valid small sheet beside a shared-strings part of one string
  repeated until it unpacks to hundreds of MB (what the parsers load before any row);
- ``wide_sheet``: a sheet of a few rows with thousands of filled columns.

Each is written by streaming its XML through zipfile's deflate, in bounded memory.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Créances" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '</Relationships>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               '<sheetData>')
_SHEET_TAIL = '</sheetData></worksheet>'
_SST_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    return ('<row r="1">' + "".join(_inline(h) for h in (
        "N° dossier", "Débiteur", "Montant", "Date facture")) + "</row>")


def _write(path: Path, sheet: Iterable[str], shared: Iterable[str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        for name, parts in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
            with archive.open(name, "w", force_zip64=True) as out:
                buffer: list[str] = []
                size = 0
                for text in parts:
                    buffer.append(text)
                    size += len(text)
                    if size > 1 << 20:
                        out.write("".join(buffer).encode())
                        buffer, size = [], 0
                out.write("".join(buffer).encode())
    return path


def _bomb_rows(rows: int) -> Iterator[str]:
    yield _SHEET_HEAD + _header_row()
    # the case, its debtor, the amount; a row number every 64 rows (the
    # others follow on) keeps it about as compressible as the file
    row = '<c t="s"><v>0</v></c><c t="s"><v>1</v></c><c><v>1000</v></c></row>'
    for line in range(2, rows + 2):
        yield (f'<row r="{line}">' if line % 64 == 0 else "<row>") + row
    yield _SHEET_TAIL


def sheet_bomb(path: Path, rows: int = 900_000) -> Path:
    """One case, ``rows`` identical claims: ~60 MB of sheet XML in a ~250 KB file."""
    strings = _SST_HEAD + "<si><t>D-1</t></si><si><t>ASCOMA SA</t></si></sst>"
    return _write(path, _bomb_rows(rows), [strings])


def _small_sheet() -> Iterator[str]:
    yield _SHEET_HEAD + _header_row()
    yield ('<row r="2"><c r="A2" t="s"><v>0</v></c>' + _inline("Awa Diop")
           + '<c r="C2"><v>1000</v></c>' + _inline("05/01/2026") + "</row>")
    yield _SHEET_TAIL


def _strings(unpacked_mb: int) -> Iterator[str]:
    item = "<si><t>D-1</t></si>"
    count = (unpacked_mb << 20) // len(item)
    yield _SST_HEAD.replace("<sst ", f'<sst count="{count}" uniqueCount="{count}" ')
    block = item * 4096
    for _ in range(count // 4096):
        yield block
    yield "</sst>"


def shared_strings_bomb(path: Path, unpacked_mb: int = 300) -> Path:
    """A one-row sheet and a shared-strings part of ``unpacked_mb`` MB (~2.5 KB per MB
    packed: 300 MB in ~750 KB, 16 million strings for a parser to hold)."""
    return _write(path, _small_sheet(), _strings(unpacked_mb))


def _wide_rows(columns: int, rows: int) -> Iterator[str]:
    yield _SHEET_HEAD + _header_row()
    for line in range(2, rows + 2):
        cells = [_inline(f"D-{line}"), _inline("Awa Diop"), "<c><v>1000</v></c>",
                 _inline("05/01/2026")] + ["<c><v>123456789</v></c>"] * (columns - 4)
        yield f'<row r="{line}">' + "".join(cells) + "</row>"
    yield _SHEET_TAIL


def wide_sheet(path: Path, columns: int = 10_000, rows: int = 3) -> Path:
    """A few claims, each with ``columns`` filled cells (extras beyond the header)."""
    return _write(path, _wide_rows(columns, rows), [_SST_HEAD + "</sst>"])
