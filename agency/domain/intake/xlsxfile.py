"""XLSX streaming: one sheet's rows with Excel's row numbers and exact cell values.

Small sheets are read with python-calamine (fast, but it holds the whole sheet in memory);
sheets whose XML exceeds ``CALAMINE_MAX_SHEET_XML`` bytes are streamed with openpyxl's
read-only mode, slower but in bounded memory.

Numbers never go through float arithmetic: an integer-valued number becomes its digits
('51896617'), any other the Decimal of its 15 significant digits (Excel's own precision,
so 0.1+0.2 stored as 0.30000000000000004 reads 0.3). Date cells become ``date``.
"""
from __future__ import annotations

import math
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import BinaryIO

import openpyxl
import python_calamine

from agency.domain.intake.csvfile import RawRow
from agency.domain.intake.errors import NotATableError, SheetNotFoundError
from agency.domain.intake.values import Cell
from agency.domain.intake.vocab import fold

CALAMINE_MAX_SHEET_XML = 64 << 20
UNREADABLE = "Le classeur Excel est illisible ou endommagé."


def convert_cell(value: object) -> Cell:
    """An XLSX value as text, exact Decimal or date (never a float)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (time, timedelta)):
        return str(value)
    return str(value)


def _number(value: float) -> Cell:
    if not math.isfinite(value):
        return str(value)
    exact = Decimal(format(value, ".15g"))
    if exact == exact.to_integral_value():
        return str(int(exact))
    return exact


def _trim(cells: tuple) -> tuple:
    """Without trailing empty cells (calamine pads rows to the sheet's width, openpyxl not)."""
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    return cells if end == len(cells) else cells[:end]


def _choose_sheet(names: list[str], visible: list[bool], wanted: str | None) -> str:
    """The named sheet (exact, then ignoring case and accents), else the first visible one."""
    if not names:
        raise NotATableError("Le classeur Excel ne contient aucune feuille.")
    if wanted is None:
        return next((name for name, shown in zip(names, visible) if shown), names[0])
    for name in names:
        if name == wanted or fold(name) == fold(wanted):
            return name
    listed = ", ".join(f"« {name} »" for name in names)
    raise SheetNotFoundError(f"La feuille « {wanted} » n'existe pas. Feuilles du classeur : {listed}.",
                             tuple(names))


def _largest_sheet_xml(stream: BinaryIO) -> int:
    stream.seek(0)
    with zipfile.ZipFile(stream) as archive:
        sizes = [info.file_size for info in archive.infolist()
                 if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")]
    return max(sizes, default=0)


class XlsxSheet:
    """One sheet of a workbook, read row by row; ``close()`` releases it."""

    def __init__(self, stream: BinaryIO, wanted: str | None, load: bool = True) -> None:
        self._stream = stream
        self._calamine = None
        self._openpyxl = None
        try:
            streamed = _largest_sheet_xml(stream) > CALAMINE_MAX_SHEET_XML
            self.sheet_names = self._open_openpyxl() if streamed else self._open_calamine()
        except SheetNotFoundError:
            raise
        # Parsers of untrusted zip/XML raise many kinds of errors; all mean "unreadable".
        except Exception as exc:  # noqa: BLE001
            raise NotATableError(UNREADABLE) from exc
        self.name = _choose_sheet(self.sheet_names, self._visible, wanted)
        if load:
            self._load_sheet()

    def _open_calamine(self) -> list[str]:
        self._stream.seek(0)
        self._calamine = python_calamine.CalamineWorkbook.from_filelike(self._stream)
        meta = [m for m in self._calamine.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        self._visible = [m.visible == python_calamine.SheetVisibleEnum.Visible for m in meta]
        return [m.name for m in meta]

    def _open_openpyxl(self) -> list[str]:
        self._stream.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
            self._openpyxl = openpyxl.load_workbook(self._stream, read_only=True, data_only=True)
        sheets = self._openpyxl.worksheets
        self._visible = [sheet.sheet_state == "visible" for sheet in sheets]
        return [sheet.title for sheet in sheets]

    def _load_sheet(self) -> None:
        try:
            if self._calamine is not None:
                self._sheet = self._calamine.get_sheet_by_name(self.name)
                end, start = self._sheet.end, self._sheet.start
                self.line_count = end[0] + 1 if end else 0
                self.width_bound: int | None = end[1] + 1 if end else 0
                # calamine drops the empty columns left of the data; openpyxl does not
                self._pad = (None,) * (start[1] if start else 0)
            else:
                self._sheet = self._openpyxl[self.name]
                self.line_count = self._sheet.max_row or 0
                self.width_bound = None  # the sheet's own dimension may lie
                self._sheet.reset_dimensions()  # some writers store a wrong dimension
        except Exception as exc:  # noqa: BLE001 - see __init__
            raise NotATableError(UNREADABLE) from exc

    def rows(self) -> Iterator[RawRow]:
        """Every row from Excel's row 1, numbered as Excel numbers them."""
        if self._calamine is not None:
            source, pad = self._sheet.iter_rows(), self._pad
        else:
            source, pad = self._openpyxl_rows(), ()
        try:
            for line, values in enumerate(source, start=1):
                yield RawRow(line, _trim(pad + tuple(convert_cell(value) for value in values)))
        except NotATableError:
            raise
        except Exception as exc:  # noqa: BLE001 - see __init__
            raise NotATableError(UNREADABLE) from exc

    def _openpyxl_rows(self) -> Iterator[tuple]:
        rows = self._sheet.iter_rows(values_only=True)
        while True:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                values = next(rows, None)
            if values is None:
                return
            yield values

    def close(self) -> None:
        if self._calamine is not None:
            self._calamine.close()
            self._calamine = None
        if self._openpyxl is not None:
            self._openpyxl.close()
            self._openpyxl = None


def list_xlsx_sheets(stream: BinaryIO) -> list[str]:
    """Names of the worksheets of a workbook, in order."""
    sheet = XlsxSheet(stream, None, load=False)
    try:
        return list(sheet.sheet_names)
    finally:
        sheet.close()
