"""The cells of one row being normalised, with the errors and warnings found on it."""
from __future__ import annotations

from agency.domain.intake.errors import RowError, RowWarning
from agency.domain.intake.headers import Column
from agency.domain.intake.values import Cell, cell_text


class RowCells:
    """The cells of one row, read by column, collecting that row's errors and warnings."""

    __slots__ = ("line", "cells", "errors", "warnings")

    def __init__(self, line: int, cells: tuple) -> None:
        self.line, self.cells = line, cells
        self.errors: list[RowError] = []
        self.warnings: list[RowWarning] = []

    def raw(self, column: Column | None) -> Cell:
        if column is None or column.index >= len(self.cells):
            return None
        return self.cells[column.index]

    def text(self, column: Column | None) -> str:
        """The cell as trimmed text ('' when absent); inlined for str cells, the common case."""
        if column is None or column.index >= len(self.cells):
            return ""
        cell = self.cells[column.index]
        if type(cell) is str and "  " not in cell and "\n" not in cell and "\t" not in cell:
            return cell.strip()
        return cell_text(cell)

    def error(self, column: Column | None, message: str) -> None:
        self.errors.append(RowError(self.line, column.header if column else None, message))

    def warn(self, column: Column | None, message: str) -> None:
        self.warnings.append(RowWarning(self.line, column.header if column else None, message))
