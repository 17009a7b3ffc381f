"""One chunk of good rows, laid out as the staging tables' rows (pure Python, no SQL)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

from agency.domain.intake import ClaimRow
from agency.domain.intake.identity import debtor_key
from agency.domain.names import name_key
from agency.domain.timezones import zone_for_country, zone_for_phone

ROW_COLUMNS = ("line", "case_key", "claim_key", "reference", "kind", "amount", "issue_date",
               "deposit_date", "due_date", "extra")
CASE_COLUMNS = ("case_key", "external_ref", "debtor_key", "first_line")
DEBTOR_COLUMNS = ("debtor_key", "name", "name_key", "kind", "national_id", "company_id",
                  "country", "zone", "address", "postal_code", "city", "annual_billed",
                  "first_line")
CONTACT_COLUMNS = ("debtor_key", "kind", "value", "zone")
KEY_LENGTH = 255


def _phone_zone(e164: str) -> str | None:
    """``zone_for_phone``, without parsing the number when its calling code names one
    country of one zone (as for most numbers): parsing costs ~0.1 ms a phone."""
    for length in (1, 2, 3):  # calling codes are prefix-free
        regions = COUNTRY_CODE_TO_REGION_CODE.get(int(e164[1:1 + length] or 0))
        if regions:
            zone = _single_zone(regions[0]) if len(regions) == 1 else None
            return zone or zone_for_phone(e164)
    return zone_for_phone(e164)


@lru_cache(maxsize=512)
def _single_zone(region: str) -> str | None:
    return zone_for_country(region)


def _fit(text: str | None, size: int) -> str | None:
    return text[:size] if text else text


def claim_reference(claim: ClaimRow) -> str:
    """The claim's reference: the file's, else the dated part of its key ('2026-01-05#2')."""
    if claim.claim_ref:
        return claim.claim_ref[:100]
    return claim.claim_key[len(claim.case_key) + 1:][:100] or claim.claim_key[-100:]


def external_ref(claim: ClaimRow) -> str:
    """The case's reference at the creditor: the file's, else the case key ('co:SN123')."""
    return (claim.case_ref or claim.case_key)[:100]


@dataclass
class Chunk:
    """The staging rows of one chunk: a row per claim, per case, per debtor, per contact."""

    rows: list[tuple] = field(default_factory=list)
    cases: dict[str, tuple] = field(default_factory=dict)
    debtors: dict[str, list] = field(default_factory=dict)
    contacts: dict[tuple, tuple] = field(default_factory=dict)

    def add(self, claim: ClaimRow) -> None:
        """Stage one good row; a case or debtor met again keeps its first row's details."""
        debtor = claim.debtor
        dkey = _fit(debtor_key(debtor.company_id, debtor.national_id, debtor.name), KEY_LENGTH)
        case_key = _fit(claim.case_key, KEY_LENGTH)
        self.rows.append((
            claim.line, case_key, _fit(claim.claim_key, KEY_LENGTH), claim_reference(claim),
            claim.claim_kind, claim.amount.minor, claim.issue_date, claim.deposit_date,
            claim.due_date, json.dumps(dict(claim.extras))))
        self.cases.setdefault(case_key, (case_key, external_ref(claim), dkey, claim.line))
        self._add_debtor(dkey, claim)
        for phone in debtor.phones:
            self.contacts.setdefault((dkey, "phone", phone), (dkey, "phone", phone, _phone_zone(phone)))
        for email in debtor.emails:
            self.contacts.setdefault((dkey, "email", email), (dkey, "email", email[:255], None))

    def _add_debtor(self, dkey: str, claim: ClaimRow) -> None:
        billed = claim.annual_billed.minor if claim.annual_billed else None
        known = self.debtors.get(dkey)
        if known is not None:
            if billed is not None and (known[11] is None or billed > known[11]):
                known[11] = billed
            return
        d = claim.debtor
        self.debtors[dkey] = [
            dkey, d.name[:255], name_key(d.name)[:255], d.kind or "person", _fit(d.national_id, 64),
            _fit(d.company_id, 64), d.country, d.zone, d.address, _fit(d.postal_code, 16),
            _fit(d.city, 100), billed, claim.line]

    def __len__(self) -> int:
        return len(self.rows)
