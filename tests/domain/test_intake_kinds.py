"""Person or company: what the row says, its identifiers, its name, then the creditor."""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from agency.domain.intake import IntakeContext, RawRow, RowNormaliser, guess_columns
from agency.domain.intake.debtors import debtor_kind
from agency.domain.intake.names import names_a_company

# the clinic's list of guarantors (seed 000), as the demo ships it
GUARANTORS = Path(__file__).resolve().parents[2] / "agency" / "services" / "demo" / "data" / "clinic_guarantors.csv"
FIRST = ["Awa", "Moussa", "Fatou", "Ibrahima", "Aminata", "Cheikh", "Ndèye", "Ousmane", "Khady",
         "Jean", "Marie", "Youssef", "Fatima-Zahra", "Mamadou", "Aïssatou"]
LAST = ["Diop", "Ndiaye", "Fall", "Sow", "Ba", "Sarr", "Gueye", "Faye", "Diallo", "Mbaye",
        "Cissé", "Kane", "Martin", "Bennani", "El Idrissi"]
MARKERS = ["SA", "S.A.", "SARL", "S.A.R.L.", "SAS", "SASU", "SUARL", "GIE", "SNC", "EURL", "SCI",
           "Assurance", "ASSURANCES", "Mutuelle", "IPM", "Banque", "Société", "Sté", "Compagnie",
           "Groupe", "assurances"]


def _guarantors() -> list[str]:
    with open(GUARANTORS, encoding="utf-8") as stream:
        return [row["garant"].strip() for row in csv.DictReader(stream, delimiter=";")]


person_names = st.builds(lambda f, l, swap: f"{l} {f}" if swap else f"{f} {l}",
                         st.sampled_from(FIRST), st.sampled_from(LAST), st.booleans())


@given(name=person_names, marker=st.sampled_from(MARKERS), first=st.booleans(),
       default=st.sampled_from(["person", "company", None]))
def test_a_name_that_says_company_makes_a_company(name, marker, first, default):
    named = f"{marker} {name}" if first else f"{name} {marker}"
    assert names_a_company(named)
    assert debtor_kind(None, None, None, named, default) == "company"


@given(name=person_names, default=st.sampled_from(["person", "company", None]))
def test_a_person_like_name_takes_the_creditors_default(name, default):
    assert not names_a_company(name)
    assert debtor_kind(None, None, None, name, default) == default


@given(name=st.one_of(person_names, st.sampled_from(MARKERS)),
       written=st.sampled_from(["person", "company"]), company_id=st.sampled_from([None, "SN1"]),
       national_id=st.sampled_from([None, "1234"]))
def test_what_the_row_says_wins_then_its_identifiers(name, written, company_id, national_id):
    assert debtor_kind(written, company_id, national_id, name, "person") == written
    if company_id:
        assert debtor_kind(None, company_id, national_id, name, "person") == "company"
    elif national_id:
        assert debtor_kind(None, None, national_id, name, "company") == "person"


def test_the_clinics_guarantors_all_come_out_as_companies():
    names = _guarantors()
    assert {"ASCOMA", "AXA", "SONATEL", "WILLIS TOWERS WATSON", "SAHAM ASSURANCE"} <= set(names)
    marked = [name for name in names if names_a_company(name)]
    assert {"SAHAM ASSURANCE", "ASKIA ASSURANCES", "PREVOYANCE ASSURANCE"} <= set(marked)
    assert not {"ASCOMA", "AXA", "SONATEL"} & set(marked)  # no marker: the creditor decides
    assert {debtor_kind(None, None, None, name, "company") for name in names} == {"company"}


def _normalise(cells, header, default="person"):
    context = IntakeContext(currency="XOF", country="SN", today=date(2026, 3, 1),
                            default_debtor_kind=default)
    return RowNormaliser(guess_columns(header), context).normalise(RawRow(2, cells))


def test_a_type_column_saying_person_or_company_wins_over_name_and_default():
    header = ("Garant", "Montant", "Type")
    company = _normalise(("Awa Diop", "1000", "Entreprise"), header)
    assert (company.claim.debtor.kind, company.claim.claim_kind, company.warnings) == (
        "company", "invoice", ())
    person = _normalise(("ASCOMA ASSURANCES", "1000", "personne"), header, default="company")
    assert person.claim.debtor.kind == "person"
    nature = _normalise(("SONATEL", "1000", "Personne morale"), ("Garant", "Montant", "Nature"))
    assert nature.claim.debtor.kind == "company"
    invoice = _normalise(("SONATEL", "1000", "Facture"), header, default="company")
    assert (invoice.claim.debtor.kind, invoice.claim.claim_kind) == ("company", "invoice")
