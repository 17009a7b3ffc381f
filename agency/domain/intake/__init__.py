"""Portfolio intake, pure domain: read a creditor's CSV/XLSX file and normalise its rows.

Typical use by the import service::

    with open_table(path, "portefeuille.xlsx", saved_mapping=mapping) as table:
        columns = map_columns(table.header, mapping)      # MissingColumnsError if needed
        total = table.estimate_rows()                     # for the progress bar
        for outcome in read_claims(table, columns, context):
            if outcome.ok: upsert(outcome.claim)          # keyed by claim.claim_key
            else: record(outcome.errors)                  # line, column, French message

File-level problems raise ``IntakeError`` subclasses (``str(exc)`` is a French message);
row-level ones come back in ``RowOutcome.errors`` (row rejected) or ``.warnings`` (kept).
"""
from __future__ import annotations

from collections.abc import Iterator

from agency.domain.intake.csvfile import RawRow
from agency.domain.intake.debtors import DebtorRow
from agency.domain.intake.errors import (IntakeError, MappingError, MissingColumnsError,
                                         NotATableError, RowError, RowWarning, SheetNotFoundError)
from agency.domain.intake.headers import (EXTRA, FIELDS, IGNORE, Column, ColumnMap, guess_columns,
                                          guess_field, map_columns, normalise_header)
from agency.domain.intake.identity import same_debtor
from agency.domain.intake.limits import IntakeLimits, LimitError
from agency.domain.intake.names import names_match, normalise_name
from agency.domain.intake.reader import Table, list_sheets, open_table
from agency.domain.intake.rows import (ClaimRow, IntakeContext, RowNormaliser, RowOutcome,
                                       normalise_row)


def read_claims(table: Table, columns: ColumnMap, context: IntakeContext) -> Iterator[RowOutcome]:
    """Every data row of the table, normalised, in file order (one outcome per row)."""
    normaliser = RowNormaliser(columns, context, strict_width=table.kind == "csv")
    for raw in table.rows():
        yield normaliser.normalise(raw)


__all__ = [
    "EXTRA", "FIELDS", "IGNORE", "ClaimRow", "Column", "ColumnMap", "DebtorRow", "IntakeContext",
    "IntakeError", "IntakeLimits", "LimitError", "MappingError", "MissingColumnsError", "NotATableError", "RawRow", "RowError",
    "RowNormaliser", "RowOutcome", "RowWarning", "SheetNotFoundError", "Table", "guess_columns",
    "guess_field", "list_sheets", "map_columns", "names_match", "normalise_header",
    "normalise_name", "normalise_row", "open_table", "read_claims", "same_debtor",
]
