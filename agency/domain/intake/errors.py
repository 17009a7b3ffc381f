"""What can go wrong while taking a portfolio file in: file-level exceptions, row-level issues.

File-level problems raise an ``IntakeError`` subclass carrying a French message for the
user (``str(exc)`` is that message). Row-level problems never raise: they come back as
``RowError`` (the row is rejected) or ``RowWarning`` (the row is kept, a detail was dropped).
"""
from __future__ import annotations

from dataclasses import dataclass


class IntakeError(Exception):
    """A file that cannot be taken in at all; ``message`` is shown to the user (French)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotATableError(IntakeError):
    """The file is not a table we can read: empty, binary, PDF, no header row, unreadable."""


class SheetNotFoundError(IntakeError):
    """The named sheet is not in the workbook; ``sheets`` lists those that are."""

    def __init__(self, message: str, sheets: tuple[str, ...]) -> None:
        super().__init__(message)
        self.sheets = sheets


class MissingColumnsError(IntakeError):
    """Required columns are absent; ``missing`` holds their canonical field names."""

    def __init__(self, message: str, missing: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing = missing


class MappingError(IntakeError):
    """A saved column mapping names a field that does not exist."""


@dataclass(frozen=True, slots=True)
class RowError:
    """Why a row was rejected. ``column`` is the file's header text, None for the whole row."""

    line: int
    column: str | None
    message: str


@dataclass(frozen=True, slots=True)
class RowWarning:
    """A detail dropped from a row that was kept (e.g. an invalid phone number)."""

    line: int
    column: str | None
    message: str
