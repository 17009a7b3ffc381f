"""The debtor part of a row: name, kind, identifiers, phones (E.164), emails, address, zone."""
from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter

from agency.domain.intake.errors import RowError, RowWarning
from agency.domain.intake.headers import ColumnMap
from agency.domain.intake.names import names_a_company
from agency.domain.intake.rowcells import RowCells
from agency.domain.intake.phones import read_phone, split_phones
from agency.domain.intake.values import compact_id, split_emails
from agency.domain.intake.vocab import parse_country, parse_debtor_kind
from agency.domain.timezones import debtor_zone, zone_for_country

_CACHE_SIZE = 8192  # debtors remembered while reading a file


@dataclass(frozen=True, slots=True)
class DebtorRow:
    """The debtor as one row describes it."""

    name: str
    kind: str | None            # 'person', 'company', or None when nothing tells
    national_id: str | None     # compacted: upper-case letters and digits
    company_id: str | None      # NINEA, RC, ICE, SIREN... compacted likewise
    phones: tuple[str, ...]     # E.164, valid numbers only, in file order
    emails: tuple[str, ...]     # lower-cased
    address: str | None
    postal_code: str | None
    city: str | None
    country: str                # ISO-2: the file's, else the first phone's, else the creditor's
    zone: str                   # IANA zone, from the country, else the phone number


def _compact_or_none(text: str) -> str | None:
    return (compact_id(text) or None) if text else None


def _picker(indexes: list[int]):
    """A function returning the tuple of the cells at ``indexes``."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    if indexes:
        return lambda cells: (cells[indexes[0]],)
    return lambda cells: ()


def debtor_kind(written: str | None, company_id: str | None, national_id: str | None,
                name: str, default: str | None) -> str | None:
    """What the row says first, then its identifiers, then its name, then the creditor."""
    if written:
        return written
    if company_id:
        return "company"
    if national_id:
        return "person"
    return "company" if names_a_company(name) else default


class DebtorReader:
    """Reads the debtor columns of rows for one creditor (its country is the default)."""

    def __init__(self, columns: ColumnMap, country: str, default_kind: str | None) -> None:
        self._country = country.upper()
        self._default_zone = zone_for_country(self._country) or "UTC"
        self._default_kind = default_kind
        fields = ("debtor_name", "debtor_first_name", "debtor_kind", "national_id", "company_id",
                  "address", "postal_code", "city", "country")
        self._col = {name: (columns.for_field(name) or (None,))[0] for name in fields}
        if self._col["debtor_kind"] is None:
            # A lone 'Type' or 'Nature' column is read as the claim's kind; when it says
            # 'personne' or 'entreprise' it is the debtor's (see RowNormaliser._claim_kind).
            self._col["debtor_kind"] = (columns.for_field("claim_kind") or (None,))[0]
            self._kind_is_shared = True
        else:
            self._kind_is_shared = False
        self._phone_columns = columns.for_field("phone")
        self._email_columns = columns.for_field("email")
        self._all_columns = tuple(column for column in self._col.values() if column) + (
            self._phone_columns + self._email_columns)
        self._seen: dict[tuple, tuple] = {}
        # The cache key: the debtor cells of a row, picked in one C call when all are there.
        indexes = [column.index for column in self._all_columns]
        self._last_index = max(indexes, default=-1)
        self._key_of = _picker(indexes)

    def read(self, row: RowCells) -> DebtorRow | None:
        """The row's debtor; None (with an error on the row) when it has no name.

        A debtor with several claims comes back on several rows: its cells are read once
        and the result (with its warnings, re-dated to each row's line) reused."""
        cells = row.cells
        if len(cells) > self._last_index:
            key = self._key_of(cells)
        else:
            key = tuple(row.raw(column) for column in self._all_columns)
        known = self._seen.get(key)
        if known is None:
            scratch = RowCells(row.line, row.cells)
            known = self._read(scratch), scratch.errors, scratch.warnings
            if len(self._seen) >= _CACHE_SIZE:
                self._seen.clear()
            self._seen[key] = known
        debtor, errors, warnings = known
        if errors:
            row.errors.extend(RowError(row.line, e.column, e.message) for e in errors)
        if warnings:
            row.warnings.extend(RowWarning(row.line, w.column, w.message) for w in warnings)
        return debtor

    def _read(self, row: RowCells) -> DebtorRow | None:
        name = self._name(row)
        national_id = _compact_or_none(row.text(self._col["national_id"]))
        company_id = _compact_or_none(row.text(self._col["company_id"]))
        phones, phone_country = self._phones(row)
        country = self._country_of(row) or phone_country or self._country
        if not name:
            return None
        return DebtorRow(
            name, self._kind(row, name, national_id, company_id), national_id, company_id,
            phones, self._emails(row), row.text(self._col["address"]) or None,
            row.text(self._col["postal_code"]) or None, row.text(self._col["city"]) or None,
            country, debtor_zone(country, phones[0] if phones else None, self._default_zone))

    def _name(self, row: RowCells) -> str:
        name = row.text(self._col["debtor_name"])
        first = row.text(self._col["debtor_first_name"])
        if not name:
            row.error(self._col["debtor_name"], "Nom du débiteur manquant.")
            return ""
        return f"{first} {name}" if first else name

    def _kind(self, row: RowCells, name: str, national_id: str | None,
              company_id: str | None) -> str | None:
        """Written kind, else company ID -> company, national ID -> person, a name that says
        company (SARL, SA, assurance, mutuelle...) -> company, else the creditor's default."""
        column = self._col["debtor_kind"]
        text = row.text(column)
        written = parse_debtor_kind(text) if text else None
        if text and written is None and not self._kind_is_shared:
            row.warn(column, f"Type de débiteur inconnu : « {text} » (personne ou entreprise).")
        return debtor_kind(written, company_id, national_id, name, self._default_kind)

    def _phones(self, row: RowCells) -> tuple[tuple[str, ...], str | None]:
        """Valid numbers in E.164 and the first one's country; invalid ones are warned of."""
        numbers: list[str] = []
        first_country = None
        for column in self._phone_columns:
            for part in split_phones(row.text(column)):
                parsed = read_phone(part, self._country)
                if parsed is None:
                    row.warn(column, f"Numéro de téléphone invalide ignoré : « {part} ».")
                elif parsed[0] not in numbers:
                    numbers.append(parsed[0])
                    first_country = first_country or parsed[1]
        return tuple(numbers), first_country

    def _emails(self, row: RowCells) -> tuple[str, ...]:
        found: list[str] = []
        for column in self._email_columns:
            valid, rejected = split_emails(row.text(column))
            for text in rejected:
                row.warn(column, f"Adresse email invalide ignorée : « {text} ».")
            found.extend(address for address in valid if address not in found)
        return tuple(found)

    def _country_of(self, row: RowCells) -> str | None:
        column = self._col["country"]
        text = row.text(column)
        if not text:
            return None
        code = parse_country(text)
        if code is None:
            row.warn(column, f"Pays inconnu : « {text} ».")
        return code
