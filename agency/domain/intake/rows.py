"""One row of a portfolio file, checked and normalised into a claim, or rejected with reasons.

``RowNormaliser(columns, context).normalise(raw_row)`` returns a ``RowOutcome``: either a
``ClaimRow`` (with non-fatal ``warnings``, e.g. a phone number dropped) or the ``RowError``s
that reject the row, each with its line, the file's column header and a French message.
A normaliser also holds the per-file state that keys claims (see ``identity``): use one
per pass over a file, in file order.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from agency.domain.intake import identity
from agency.domain.intake.csvfile import RawRow
from agency.domain.intake.dates import DateProblem, DateReader
from agency.domain.intake.errors import RowError, RowWarning
from agency.domain.intake.headers import EXTRA, FIELDS, ColumnMap
from agency.domain.intake.debtors import DebtorReader, DebtorRow
from agency.domain.intake.limits import too_many_claims
from agency.domain.intake.names import normalise_name
from agency.domain.intake.rowcells import RowCells
from agency.domain.intake.values import AmountReader, ValueProblem, cell_text, locale_is_month_first
from agency.domain.intake.vocab import fold, parse_claim_kind, parse_debtor_kind
from agency.domain.money import Money, MoneyError, check_currency

_TOTAL_WORDS = frozenset({"total", "totaux", "total general", "grand total", "sous total"})
_CURRENCY_WORDS = {"fcfa": "XOF", "f cfa": "XOF", "cfa": "XOF", "franc cfa": "XOF",
                   "francs cfa": "XOF", "dh": "MAD", "dhs": "MAD", "dirham": "MAD",
                   "dirhams": "MAD", "euro": "EUR", "euros": "EUR"}
_CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP"}


@dataclass(frozen=True, slots=True, kw_only=True)
class IntakeContext:
    """What the normaliser needs to know about the creditor, and the day of the import."""

    currency: str               # the creditor's ISO currency: every amount must be in it
    country: str                # ISO-2: default region of phone numbers and debtors' country
    today: date
    locale: str = "fr_FR"       # how the creditor writes amounts and dates (fr_SN, en_US...)
    default_claim_kind: str = "invoice"
    default_debtor_kind: str | None = None  # 'person' or 'company' when the file cannot tell
    max_claims_per_case: int | None = None  # rows of a case beyond it are rejected


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """A good row: one claim of one case, on one debtor."""

    line: int
    case_ref: str | None
    claim_ref: str | None
    claim_kind: str             # one of vocab.CLAIM_KINDS
    debtor: DebtorRow
    amount: Money
    issue_date: date | None
    deposit_date: date | None
    due_date: date | None
    annual_billed: Money | None
    extras: Mapping[str, str]   # unknown columns: header -> value (non-empty values only)
    case_key: str               # rows with the same case key form one case
    claim_key: str              # stable identity of the claim for upserts (see identity)
    warnings: tuple[RowWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """The result for one row: ``claim`` when accepted, else ``errors`` (never both)."""

    line: int
    claim: ClaimRow | None
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return self.claim is not None

    @property
    def warnings(self) -> tuple[RowWarning, ...]:
        return self.claim.warnings if self.claim else ()


class RowNormaliser:
    """Normalises the rows of one file for one creditor (see the module docstring)."""

    def __init__(self, columns: ColumnMap, context: IntakeContext, strict_width: bool = True) -> None:
        """``strict_width``: a value right of the header's last column rejects the row (CSV:
        a delimiter inside a value shifted the cells); without it (XLSX, where cells cannot
        shift) such values are kept as extras named 'Colonne N'."""
        self.context = context
        self._strict_width = strict_width
        self._col = {f.name: (columns.for_field(f.name) or (None,))[0] for f in FIELDS}
        self._extras = columns.for_field(EXTRA)
        self._width = len(columns.columns)
        self._amounts = AmountReader(context.currency, context.locale)
        self._dates = DateReader(context.today, locale_is_month_first(context.locale))
        self._debtors = DebtorReader(columns, context.country, context.default_debtor_kind)
        self._keys = identity.ClaimKeys()
        self._has_dates = any(self._col[name] for name in ("issue_date", "deposit_date", "due_date"))

    def normalise(self, raw: RawRow) -> RowOutcome:
        """Check and normalise one raw row into a RowOutcome."""
        if raw.problem:
            return RowOutcome(raw.line, None, (RowError(raw.line, None, raw.problem),))
        row = RowCells(raw.line, raw.cells)
        if self._strict_width:
            self._check_width(row)
        debtor = self._debtors.read(row)
        amount = self._amount(row)
        issue, deposit, due = self._claim_dates(row)
        case_ref, claim_ref = self._reference(row, "case_ref"), self._reference(row, "claim_ref")
        if debtor and not (case_ref or claim_ref or issue or deposit or due):
            self._refuse_total_line(row, debtor)
        if row.errors:
            return RowOutcome(row.line, None, tuple(row.errors))
        case = identity.case_key(case_ref, identity.debtor_key(
            debtor.company_id, debtor.national_id, debtor.name))
        base = identity.claim_base_key(claim_ref, case_ref, case, issue or deposit or due)
        verdict = self._keys.assign(base, claim_ref is not None, amount.minor, row.line)
        if verdict.doubled_line is not None:
            row.error(self._col["claim_ref"], "Créance en double : même référence qu'à la ligne "
                                              f"{verdict.doubled_line}.")
            return RowOutcome(row.line, None, tuple(row.errors))
        if self._case_is_full(case):
            row.error(self._col["case_ref"], too_many_claims(case_ref or debtor.name,
                                                             self.context.max_claims_per_case))
            return RowOutcome(row.line, None, tuple(row.errors))
        if verdict.same_as_line is not None:
            row.warn(None, f"Ligne identique à la ligne {verdict.same_as_line} (même dossier, "
                           "même date, même montant) : vérifiez qu'elle n'est pas en double.")
        claim = ClaimRow(row.line, case_ref, claim_ref, self._claim_kind(row), debtor, amount,
                         issue, deposit, due, self._annual_billed(row), self._extra_values(row),
                         case, verdict.key, tuple(row.warnings))
        return RowOutcome(row.line, claim)

    def _case_is_full(self, case: str) -> bool:
        """Whether this row is beyond the case's claims limit (counted in file order)."""
        limit = self.context.max_claims_per_case
        return limit is not None and self._keys.count_case(case) > limit

    def _check_width(self, row: RowCells) -> None:
        for index in range(self._width, len(row.cells)):
            if cell_text(row.cells[index]):
                row.error(None, f"La ligne a des valeurs au-delà des {self._width} colonnes de "
                                "l'en-tête : une valeur contient sans doute le séparateur.")
                return

    def _reference(self, row: RowCells, field: str) -> str | None:
        column = self._col[field]
        if column is None:
            return None
        text = row.text(column)
        if not text:
            label = "du dossier" if field == "case_ref" else "de la créance"
            row.error(column, f"Référence {label} manquante.")
            return None
        return text

    def _amount(self, row: RowCells) -> Money | None:
        column = self._col["amount"]
        self._check_currency(row)
        try:
            amount = self._amounts.read(row.raw(column))
        except ValueProblem as problem:
            row.error(column, str(problem))
            return None
        if amount.minor <= 0:
            row.error(column, f"Le montant doit être positif (lu : {row.text(column)}).")
            return None
        return amount

    def _check_currency(self, row: RowCells) -> None:
        column = self._col["currency"]
        text = row.text(column)
        if not text:
            return
        try:
            code = _CURRENCY_SIGNS.get(text) or _CURRENCY_WORDS.get(fold(text)) or check_currency(text)
        except MoneyError:
            row.error(column, f"Devise inconnue : « {text} ».")
            return
        if code != self.context.currency:
            row.error(column, f"Devise {code} différente de celle du créancier "
                              f"({self.context.currency}).")

    def _claim_dates(self, row: RowCells) -> tuple[date | None, date | None, date | None]:
        if not self._has_dates:
            return None, None, None
        issue, deposit = self._date(row, "issue_date"), self._date(row, "deposit_date")
        due = self._date(row, "due_date")
        today = self.context.today
        for name, value in (("issue_date", issue), ("deposit_date", deposit)):
            if value and value > today:
                row.error(self._col[name], f"Date dans le futur : {value:%d/%m/%Y}.")
        if issue and due and due < issue:
            row.error(self._col["due_date"], f"L'échéance ({due:%d/%m/%Y}) précède la date de "
                                             f"facture ({issue:%d/%m/%Y}).")
        return issue, deposit, due

    def _date(self, row: RowCells, field: str) -> date | None:
        column = self._col[field]
        if column is None:
            return None
        cell = row.raw(column)
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return None
        try:
            return self._dates.read(cell)
        except DateProblem as problem:
            row.error(column, str(problem))
            return None

    def _refuse_total_line(self, row: RowCells, debtor: DebtorRow) -> None:
        """A spreadsheet's 'TOTAL' line, with nothing but a name and an amount, is no claim."""
        if normalise_name(debtor.name) in _TOTAL_WORDS and not (debtor.phones or debtor.emails
                                                      or debtor.company_id or debtor.national_id):
            row.error(self._col["debtor_name"], "Ligne de total : ce n'est pas une créance.")

    def _claim_kind(self, row: RowCells) -> str:
        column = self._col["claim_kind"]
        text = row.text(column)
        if not text:
            return self.context.default_claim_kind
        kind = parse_claim_kind(text)
        if kind is None and parse_debtor_kind(text) is not None:
            return self.context.default_claim_kind  # 'Type : entreprise' is the debtor's
        if kind is None:
            row.warn(column, f"Nature de créance inconnue : « {text} » ; « autre » retenue.")
            return "other"
        return kind

    def _annual_billed(self, row: RowCells) -> Money | None:
        column = self._col["annual_billed"]
        cell = row.raw(column)
        if column is None or not cell_text(cell):
            return None
        try:
            amount = self._amounts.read(cell)
        except ValueProblem as problem:
            row.warn(column, f"{problem} : montant facturé annuel ignoré.")
            return None
        if amount.minor < 0:
            row.warn(column, "Montant facturé annuel négatif ignoré.")
            return None
        return amount

    def _extra_values(self, row: RowCells) -> dict[str, str]:
        values = {}
        for column in self._extras:
            text = row.text(column)
            if text:
                values[column.header] = text
        if not self._strict_width:
            for index in range(self._width, len(row.cells)):
                text = cell_text(row.cells[index])
                if text:
                    values[f"Colonne {index + 1}"] = text
        return values


def normalise_row(raw: RawRow, columns: ColumnMap, context: IntakeContext) -> RowOutcome:
    """Normalise a single row on its own (no doubled-reference check across rows)."""
    return RowNormaliser(columns, context).normalise(raw)
