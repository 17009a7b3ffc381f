"""Open a creditor's file (CSV or XLSX), find its header row, stream its data rows.

``open_table`` decides what the file is from its content (the file name only breaks ties
and words the messages), finds the header row among the first rows, and returns a
``Table`` whose ``rows()`` streams ``RawRow(line, cells, problem)`` in bounded memory.
Anything that is not a table raises ``NotATableError`` before a single row is yielded.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from functools import partial
from typing import BinaryIO

from agency.domain.intake import csvfile
from agency.domain.intake.csvfile import RawRow
from agency.domain.intake.errors import NotATableError
from agency.domain.intake.headers import header_score
from agency.domain.intake.limits import (IntakeLimits, check_file_size, check_zip,
                                         too_many_columns, too_many_rows)
from agency.domain.intake.values import cell_text
from agency.domain.intake.xlsxfile import XlsxSheet, list_xlsx_sheets

Source = str | os.PathLike | bytes | BinaryIO

HEADER_SCAN_ROWS = 30
REPEATED_HEADER = "Ligne d'en-tête répétée au milieu des données."

_SIGNATURES = (
    (b"%PDF", "Le fichier est un PDF, pas un tableau : envoyez l'export CSV ou Excel."),
    (b"\xd0\xcf\x11\xe0", "Classeur Excel 97-2003 (.xls) ou protégé par mot de passe : "
                          "enregistrez-le au format .xlsx sans mot de passe, ou en CSV."),
    (b"{\\rtf", "Le fichier est un document texte (RTF), pas un tableau."),
    (b"\x89PNG", "Le fichier est une image, pas un tableau."),
    (b"\xff\xd8\xff", "Le fichier est une image, pas un tableau."),
    (b"GIF8", "Le fichier est une image, pas un tableau."),
    (b"\x1f\x8b", "Le fichier est une archive compressée, pas un tableau."),
    (b"Rar!", "Le fichier est une archive compressée, pas un tableau."),
    (b"7z\xbc\xaf", "Le fichier est une archive compressée, pas un tableau."),
)
_MARKUP = re.compile(rb"^\s*<(?:!doctype|html|\?xml|table|head|body)", re.IGNORECASE)
_NUMERIC_LOOKING = re.compile(r"[\d\s.,:/+\-]+")


def _as_stream(source: Source) -> tuple[BinaryIO, bool]:
    """A seekable binary stream for the source, and whether we own (must close) it."""
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb"), True
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(source), True
    if source.seekable():
        return source, False
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    shutil.copyfileobj(source, spool)
    return spool, True


def detect_kind(stream: BinaryIO, filename: str) -> str:
    """'csv' or 'xlsx' from the file's content; NotATableError for anything else."""
    stream.seek(0)
    head = stream.read(1024)
    if not head.strip():
        raise NotATableError("Le fichier est vide.")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(stream)
    for signature, message in _SIGNATURES:
        if head.startswith(signature):
            raise NotATableError(message)
    if _MARKUP.match(head.removeprefix(b"\xef\xbb\xbf")):
        raise NotATableError("Le fichier est une page HTML ou XML, pas un tableau : "
                             "enregistrez-le au format .xlsx ou CSV.")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise NotATableError(f"« {filename} » n'est pas un classeur Excel valide.")
    return "csv"


def _zip_kind(stream: BinaryIO) -> str:
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise NotATableError("Le classeur Excel est illisible ou endommagé.") from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names:
        raise NotATableError("Classeur OpenDocument (.ods) : enregistrez-le au format .xlsx ou CSV.")
    raise NotATableError("Le fichier est une archive ZIP ou un document, pas un tableau.")


def _is_blank(cells: tuple) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


class Table:
    """An opened file with its header row found. ``rows()`` may be iterated several times,
    one pass at a time (passes share the file)."""

    def __init__(self, source: Source, filename: str, sheet: str | None,
                 saved_mapping: Mapping[str, str] | None, limits: IntakeLimits) -> None:
        self.filename = filename
        self.limits = limits
        self._stream, self._owned = _as_stream(source)
        self._xlsx: XlsxSheet | None = None
        self._width: int | None = None
        self._saved = saved_mapping
        try:
            self.kind = detect_kind(self._stream, filename)
            self._check_size()
            self._open_kind(sheet)
            header = self._find_header(saved_mapping)
            if len(header.cells) > limits.max_columns:
                raise too_many_columns(header.line, len(header.cells), limits)
        except BaseException:
            self.close()
            raise
        self.header_line = header.line
        self._raw_header = header.cells
        self.header = tuple(cell_text(cell) for cell in header.cells)
        self._width = len(self.header)

    def _check_size(self) -> None:
        """Before any parser sees the file: its size (CSV), its zip's parts (XLSX)."""
        if self.kind == "xlsx":
            check_zip(self._stream, self.limits)
        else:
            check_file_size(self._stream.seek(0, os.SEEK_END), self.limits)

    def _open_kind(self, sheet: str | None) -> None:
        if self.kind == "xlsx":
            self._xlsx = XlsxSheet(self._stream, sheet)
            self.sheet, self.encoding, self.delimiter = self._xlsx.name, None, None
        else:
            known = partial(header_score, saved=self._saved)
            self._format = csvfile.sniff_csv(self._stream, lambda row: known([c.strip() for c in row]))
            self.sheet, self.encoding, self.delimiter = None, self._format.encoding, self._format.delimiter

    def _records(self) -> Iterator[RawRow]:
        if self._xlsx is not None:
            return self._xlsx.rows()
        lines = csvfile.physical_lines(self._stream, self._format, self.limits.max_line_bytes)
        return csvfile.records(lines, self._format.delimiter, lambda: self._width)

    def _find_header(self, saved: Mapping[str, str] | None) -> RawRow:
        """The row with most known headers (at least two) among the first rows, else the
        first row that reads like headers (text only); else this is not a table."""
        candidates: list[RawRow] = []
        for row in self._records():
            if not row.problem and not _is_blank(row.cells):
                candidates.append(row)
            if len(candidates) >= HEADER_SCAN_ROWS:
                break
        if not candidates:
            raise NotATableError("Le fichier ne contient aucune donnée.")
        texts = [[cell_text(cell) for cell in row.cells] for row in candidates]
        scores = [header_score(text, saved) for text in texts]
        if max(scores) >= 2:
            return candidates[scores.index(max(scores))]
        for row, text in zip(candidates, texts):
            if _reads_like_header(row.cells, text):
                return row
        raise NotATableError("Aucune ligne d'en-tête (nom du débiteur, montant...) dans les "
                             f"{HEADER_SCAN_ROWS} premières lignes : ce n'est pas un tableau de créances.")

    def rows(self) -> Iterator[RawRow]:
        """The data rows after the header, blank rows skipped, each with its file line."""
        for row in self._records():
            if row.line <= self.header_line or (not row.problem and _is_blank(row.cells)):
                continue
            if row.cells == self._raw_header:
                yield RawRow(row.line, (), REPEATED_HEADER)
                continue
            yield row

    def estimate_rows(self) -> int:
        """Data rows for a progress bar, from a fast pass: an upper bound (it counts blank
        lines and the extra lines of multi-line cells)."""
        if self._xlsx is not None:
            lines = self._xlsx.line_count
        else:
            lines = csvfile.count_lines(self._stream, self._format, self.limits.max_line_bytes)
        return max(0, lines - self.header_line)

    def check_shape(self) -> None:
        """Refuse (LimitError) a file with more data rows than the limit, or an XLSX row
        wider than it (a CSV row wider than its header is rejected on its own: its values
        shifted). A pass over the rows, stopped at the first beyond, runs only when the
        cheap bounds (the line count, the sheet's extent) do not already settle it."""
        limits = self.limits
        width = self._xlsx.width_bound if self._xlsx is not None else 0
        if width is not None and width <= limits.max_columns and (
                self.estimate_rows() <= limits.max_rows):
            return
        count = 0
        for row in self.rows():
            count += 1
            if count > limits.max_rows:
                raise too_many_rows(limits)
            if self._xlsx is not None and len(row.cells) > limits.max_columns:
                raise too_many_columns(row.line, len(row.cells), limits)

    def close(self) -> None:
        if self._xlsx is not None:
            self._xlsx.close()
            self._xlsx = None
        if self._owned:
            self._stream.close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _reads_like_header(cells: tuple, texts: list[str]) -> bool:
    """At least two distinct non-empty text cells and nothing that looks like a number or date."""
    filled = [text for text in texts if text]
    if len(filled) < 2 or len(set(filled)) != len(filled):
        return False
    return all(cell is None or isinstance(cell, str) for cell in cells) and not any(
        _NUMERIC_LOOKING.fullmatch(text) for text in filled)


def open_table(source: Source, filename: str, *, sheet: str | None = None,
               saved_mapping: Mapping[str, str] | None = None,
               limits: IntakeLimits | None = None) -> Table:
    """Open a CSV or XLSX file (path, bytes or binary file object) and find its header row.

    ``sheet`` picks an XLSX sheet by name (default: the first visible one). The saved
    mapping's headers count as known when looking for the header row. The file's size
    (an XLSX's parts) is checked against ``limits`` before anything is parsed. Raises
    NotATableError, SheetNotFoundError or LimitError with a French message for the user.
    """
    return Table(source, filename, sheet, saved_mapping, limits or IntakeLimits())


def list_sheets(source: Source, filename: str, limits: IntakeLimits | None = None) -> list[str]:
    """The worksheet names of an XLSX file; [] for a CSV file."""
    stream, owned = _as_stream(source)
    try:
        if detect_kind(stream, filename) != "xlsx":
            return []
        check_zip(stream, limits or IntakeLimits())
        return list_xlsx_sheets(stream)
    finally:
        if owned:
            stream.close()
