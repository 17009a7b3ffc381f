"""One row -> one claim, or the reasons it is rejected (line, column, French message)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from agency.domain.intake import (IGNORE, IntakeContext, RawRow, RowError, RowNormaliser,
                                  map_columns, normalise_row)
from agency.domain.money import Money

CTX = IntakeContext(currency="XOF", country="SN", today=date(2025, 1, 15), locale="fr_SN")
HEADER = ["N° dossier", "Débiteur", "Référence", "Montant", "Date facture", "Date d'échéance",
          "Téléphone", "Email", "Ville", "Pays"]
GOOD = ["D-1", "Société Élevée SARL", "F-001", "51 896 617", "15/03/2024", "15/04/2024",
        "77 123 45 67", "Compta@Elevee.SN", "Dakar", "Sénégal"]


def normalise(header, *rows, context=CTX, saved=None):
    normaliser = RowNormaliser(map_columns(header, saved), context)
    return [normaliser.normalise(RawRow(line, tuple(cells))) for line, cells in enumerate(rows, start=2)]


def one(header, row, **options):
    return normalise(header, row, **options)[0]


def with_cell(column: str, value: str) -> list[str]:
    row = list(GOOD)
    row[HEADER.index(column)] = value
    return row


def test_a_good_row_becomes_a_claim():
    outcome = one(HEADER, GOOD)
    assert outcome.ok and outcome.errors == () and outcome.warnings == ()
    claim = outcome.claim
    assert (claim.line, claim.case_ref, claim.claim_ref, claim.claim_kind) == (2, "D-1", "F-001", "invoice")
    assert claim.amount == Money(51896617, "XOF")
    assert (claim.issue_date, claim.deposit_date, claim.due_date) == (date(2024, 3, 15), None, date(2024, 4, 15))
    debtor = claim.debtor
    assert (debtor.name, debtor.kind, debtor.phones, debtor.emails) == (
        "Société Élevée SARL", "company", ("+221771234567",), ("compta@elevee.sn",))
    assert (debtor.city, debtor.country, debtor.zone) == ("Dakar", "SN", "Africa/Dakar")
    assert (claim.case_key, claim.claim_key, claim.extras) == ("case:D-1", "case:D-1|ref:F-001", {})


REJECTIONS = [
    ("Montant", "", "Montant manquant"),
    ("Montant", "douze mille", "Montant illisible"),
    ("Montant", "0", "positif"),
    ("Montant", "-1 000", "positif"),
    ("Montant", "1 000,50", "0 décimale(s) au plus en XOF"),
    ("Montant", "100 €", "Montant en EUR"),
    ("Date facture", "32/01/2024", "Date impossible"),
    ("Date facture", "bientôt", "Date illisible"),
    ("Date facture", "15/03/2026", "Date dans le futur"),
    ("Date d'échéance", "01/01/2024", "précède la date de facture"),
    ("Débiteur", "  ", "Nom du débiteur manquant"),
    ("N° dossier", "", "Référence du dossier manquante"),
    ("Référence", "", "Référence de la créance manquante"),
]


@pytest.mark.parametrize("column, value, message", REJECTIONS)
def test_rejected_rows_say_line_column_and_reason(column, value, message):
    outcome = one(HEADER, with_cell(column, value))
    assert outcome.claim is None
    assert outcome.errors[0].line == 2 and outcome.errors[0].column == column
    assert message in outcome.errors[0].message
    assert len(outcome.errors) == (2 if message == "Date dans le futur" else 1)  # and due < issue


@pytest.mark.parametrize("currency, message", [("ZZZ", "Devise inconnue"), ("EUR", "Devise EUR différente"),
                                               ("€", "Devise EUR différente")])
def test_currency_column_must_be_the_creditors(currency, message):
    outcome = one(["Nom", "Montant", "Devise"], ["A", "100", currency])
    assert outcome.errors[0].column == "Devise" and message in outcome.errors[0].message
    assert one(["Nom", "Montant", "Devise"], ["A", "100", "F CFA"]).ok
    assert one(["Nom", "Montant", "Devise"], ["A", "100", "xof"]).ok


def test_every_problem_of_a_row_is_reported():
    outcome = one(HEADER, ["", "", "F-1", "abc", "99/99/2024", "", "", "", "", ""])
    assert [e.column for e in outcome.errors] == ["Débiteur", "Montant", "Date facture", "N° dossier"]


def test_values_beyond_the_header_reject_the_row():
    outcome = one(["Nom", "Montant"], ["ACME", "1", "234.56"])
    assert outcome.errors == (RowError(2, None, outcome.errors[0].message),)
    assert "séparateur" in outcome.errors[0].message
    assert one(["Nom", "Montant"], ["ACME", "1", "", " "]).ok


def test_spreadsheet_values_beyond_the_header_are_kept():
    normaliser = RowNormaliser(map_columns(["Nom", "Montant"]), CTX, strict_width=False)
    outcome = normaliser.normalise(RawRow(2, ("ACME", "1", None, "à rappeler")))
    assert outcome.ok and outcome.claim.extras == {"Colonne 4": "à rappeler"}


def test_short_rows_are_padded():
    outcome = one(["Nom", "Montant", "Ville", "Note"], ["ACME", "10"])
    assert outcome.ok and outcome.claim.debtor.city is None


def test_a_reader_problem_becomes_a_row_error():
    normaliser = RowNormaliser(map_columns(["Nom", "Montant"]), CTX)
    outcome = normaliser.normalise(RawRow(7, (), "Guillemet non fermé"))
    assert outcome.errors == (RowError(7, None, "Guillemet non fermé"),)


def test_a_total_line_is_not_a_claim():
    assert "total" in one(["Nom", "Montant"], ["TOTAL", "123456"]).errors[0].message
    assert one(["Nom", "Montant"], ["TOTAL SENEGAL", "123456"]).ok
    assert one(["Nom", "Montant", "Tél"], ["Total", "1", "77 123 45 67"]).ok


def test_bad_phone_emails_country_and_kind_are_warnings_not_rejections():
    header = ["Nom", "Montant", "Tél", "Mobile", "Email", "Pays", "Nature", "Type débiteur"]
    outcome = one(header, ["ACME", "100", "12 34 / 77 123 45 67", "77 123 45 67", "x@y; pas-un-email",
                           "Atlantide", "Pénalité", "Martien"])
    assert outcome.ok
    claim = outcome.claim
    assert claim.debtor.phones == ("+221771234567",)
    assert claim.debtor.emails == ()
    assert claim.claim_kind == "other" and claim.debtor.country == "SN"
    assert sorted((w.line, w.column) for w in outcome.warnings) == [
        (2, "Email"), (2, "Email"), (2, "Nature"), (2, "Pays"), (2, "Type débiteur"), (2, "Tél")]
    assert "« 12 34 »" in next(w.message for w in outcome.warnings if w.column == "Tél")


def test_annual_billed_amount():
    header = ["Garant", "Montant", "CA annuel"]
    assert one(header, ["AXA", "100", "34 195 609"]).claim.annual_billed == Money(34195609, "XOF")
    assert one(header, ["AXA", "100", ""]).claim.annual_billed is None
    outcome = one(header, ["AXA", "100", "n/a"])
    assert outcome.ok and outcome.claim.annual_billed is None
    assert outcome.warnings[0].column == "CA annuel"


@pytest.mark.parametrize("extra_header, value, kind", [
    ("NINEA", "0012345 2G3", "company"), ("CIN", "AB123456", "person"),
    ("Type de débiteur", "Personne physique", "person"), ("Ville", "Dakar", None),
])
def test_debtor_kind(extra_header, value, kind):
    claim = one(["Nom", "Montant", extra_header], ["Awa Diop", "100", value]).claim
    assert claim.debtor.kind == kind


def test_debtor_kind_from_legal_form_or_the_creditors_default():
    assert one(["Nom", "Montant"], ["ETS DIOP & FILS S.A.R.L.", "1"]).claim.debtor.kind == "company"
    lender = IntakeContext(currency="MAD", country="MA", today=CTX.today, default_debtor_kind="person")
    assert one(["Nom", "Montant"], ["Karim Alaoui", "1"], context=lender).claim.debtor.kind == "person"


def test_identifiers_are_compacted_and_key_the_debtor_and_case():
    claim = one(["Nom", "Montant", "NINEA"], ["ACME", "1", "0012 345 2G3"]).claim
    assert claim.debtor.company_id == "00123452G3" and claim.case_key == "co:00123452G3"


def test_first_name_and_name():
    claim = one(["Nom", "Prénom", "Montant"], ["DIOP", "Awa", "1"]).claim
    assert claim.debtor.name == "Awa DIOP"


def test_country_and_zone_from_the_column_or_the_phone():
    morocco = one(["Nom", "Montant", "Pays", "Tél"], ["A", "1", "Maroc", "+33 6 12 34 56 78"]).claim.debtor
    assert (morocco.country, morocco.zone) == ("MA", "Africa/Casablanca")
    french = one(["Nom", "Montant", "Tél"], ["A", "1", "+33 6 12 34 56 78"]).claim.debtor
    assert (french.country, french.zone) == ("FR", "Europe/Paris")
    local = one(["Nom", "Montant"], ["A", "1"]).claim.debtor
    assert (local.country, local.zone) == ("SN", "Africa/Dakar")


def test_unknown_columns_are_kept_and_ignored_ones_dropped():
    header = ["Garant", "Montant", "Catégorie", "Commentaire", "Vide"]
    claim = one(header, ["AXA", "1", "G", "client fidèle", ""], saved={"Commentaire": IGNORE}).claim
    assert claim.extras == {"Catégorie": "G"}


def test_spreadsheet_cells():
    header = ["Nom", "Montant", "Date de dépôt", "Date d'échéance", "Tél"]
    claim = one(header, ["A", Decimal("1234"), date(2024, 1, 2), "45322", "771234567"]).claim
    assert claim.amount == Money(1234, "XOF")
    assert (claim.deposit_date, claim.due_date) == (date(2024, 1, 2), date(2024, 1, 31))
    assert claim.debtor.phones == ("+221771234567",)


def test_us_creditor_writes_month_first_and_dot_decimals():
    context = IntakeContext(currency="USD", country="US", today=CTX.today, locale="en_US")
    claim = one(["Name", "Amount", "Invoice date"], ["ACME Inc", "1,234.56", "01/31/2024"],
                context=context).claim
    assert (claim.amount, claim.issue_date) == (Money(123456, "USD"), date(2024, 1, 31))


def test_claim_kinds_default_and_column():
    assert one(["Nom", "Montant", "Nature"], ["A", "1", "Traite"]).claim.claim_kind == "bill_of_exchange"
    fund = IntakeContext(currency="MAD", country="MA", today=CTX.today, default_claim_kind="contribution")
    assert one(["Nom", "Montant"], ["A", "1"], context=fund).claim.claim_kind == "contribution"


# --- identity within a file -----------------------------------------------------------------

def test_a_reference_seen_twice_is_a_doubled_row():
    first, second, third = normalise(["Nom", "Montant", "Facture"], ["A", "1", "F1"], ["B", "2", "f1"],
                                     ["C", "3", "F2"])
    assert first.ok and third.ok
    assert second.errors[0].column == "Facture" and "ligne 2" in second.errors[0].message


def test_references_are_scoped_by_case_when_the_file_has_cases():
    outcomes = normalise(["Dossier", "Nom", "Montant", "N° effet"], ["P1", "A", "1", "1"],
                         ["P1", "A", "1", "2"], ["P2", "B", "1", "1"], ["p2", "B", "1", "1"])
    assert [o.claim.claim_key for o in outcomes[:3]] == ["case:P1|ref:1", "case:P1|ref:2", "case:P2|ref:1"]
    assert "ligne 4" in outcomes[3].errors[0].message


def test_a_rejected_row_does_not_reserve_its_reference():
    bad, good = normalise(["Nom", "Montant", "Facture"], ["A", "zéro", "F1"], ["A", "1", "F1"])
    assert not bad.ok and good.ok


def test_claims_without_reference_are_keyed_by_case_date_and_occurrence():
    outcomes = normalise(["Dossier", "Nom", "Montant", "Date facture"],
                         ["D1", "A", "100", "01/02/2024"], ["D1", "A", "200", "01/02/2024"],
                         ["D2", "B", "100", "01/02/2024"], ["D1", "A", "100", "03/02/2024"],
                         ["D1", "A", "100", "01/02/2024"])
    assert [o.claim.claim_key for o in outcomes] == [
        "case:D1|2024-02-01#1", "case:D1|2024-02-01#2", "case:D2|2024-02-01#1",
        "case:D1|2024-02-03#1", "case:D1|2024-02-01#3"]
    assert [w.message for w in outcomes[4].warnings] == [
        "Ligne identique à la ligne 2 (même dossier, même date, même montant) : vérifiez "
        "qu'elle n'est pas en double."]


def test_an_updated_amount_keeps_the_claim_key():
    header = ["Dossier", "Nom", "Montant", "Date facture"]
    before = one(header, ["D1", "A", "100", "01/02/2024"]).claim.claim_key
    after = one(header, ["D1", "A", "80", "01/02/2024"]).claim.claim_key
    assert before == after
    by_ref = [one(["Nom", "Montant", "Ref"], ["A", amount, "F-9"]).claim.claim_key for amount in ("1", "2")]
    assert by_ref == ["ref:F-9", "ref:F-9"]


def test_rows_of_a_debtor_without_case_column_form_one_case():
    outcomes = normalise(["Nom", "Montant"], ["Eiffage SA", "1"], ["EIFFAGE", "2"], ["Senelec", "3"])
    assert [o.claim.case_key for o in outcomes] == ["name:eiffage", "name:eiffage", "name:senelec"]


def test_repeated_debtors_get_their_warnings_on_each_line():
    outcomes = normalise(["Nom", "Montant", "Tél"], ["A", "1", "12"], ["A", "2", "12"])
    assert [(w.line, w.column) for o in outcomes for w in o.warnings] == [(2, "Tél"), (3, "Tél")]


def test_normalise_row_on_its_own():
    outcome = normalise_row(RawRow(5, ("ACME", "10")), map_columns(["Nom", "Montant"]), CTX)
    assert outcome.claim.line == 5 and outcome.claim.amount == Money(10, "XOF")
