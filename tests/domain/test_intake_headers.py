"""Headers in French or English, saved mappings, unknown and missing columns."""
from __future__ import annotations

import pytest

from agency.domain.intake import (EXTRA, FIELDS, IGNORE, MappingError, MissingColumnsError,
                                  guess_columns, guess_field, map_columns, normalise_header)
from agency.domain.intake.headers import SYNONYMS, header_score


@pytest.mark.parametrize("header, field", [
    ("Garant", "debtor_name"), ("Débiteur", "debtor_name"), ("DEBITEUR", "debtor_name"),
    ("Nom", "debtor_name"), ("Raison sociale", "debtor_name"), ("garant", "debtor_name"),
    ("Prénom", "debtor_first_name"),
    ("N° dossier", "case_ref"), ("No dossier", "case_ref"), ("Numéro de dossier", "case_ref"),
    ("Dossier", "case_ref"), ("Case ref", "case_ref"), ("Nº Dossier", "case_ref"),
    ("Référence", "claim_ref"), ("Ref.", "claim_ref"), ("N° facture", "claim_ref"),
    ("Invoice", "claim_ref"), ("Invoice No.", "claim_ref"),
    ("Montant", "amount"), ("Montant facture", "amount"), ("Amount", "amount"),
    ("montant_facture_xof", "amount"), ("Montant (F CFA)", "amount"), ("Montant dû", "amount"),
    ("Devise", "currency"), ("Currency", "currency"),
    ("Date de dépôt", "deposit_date"), ("DATE DEPOT", "deposit_date"),
    ("Date d'échéance", "due_date"), ("Echéance", "due_date"), ("Due date", "due_date"),
    ("Date facture", "issue_date"), ("Date d'émission", "issue_date"), ("Issue date", "issue_date"),
    ("Type", "claim_kind"), ("Nature", "claim_kind"),
    ("Téléphone", "phone"), ("Tél", "phone"), ("Mobile", "phone"), ("Phone", "phone"),
    ("Téléphone 2", "phone"), ("Tel2", "phone"),
    ("Email", "email"), ("E-mail", "email"), ("Courriel", "email"),
    ("Adresse", "address"), ("Ville", "city"), ("Pays", "country"), ("Country", "country"),
    ("NINEA", "company_id"), ("RC", "company_id"), ("ICE", "company_id"), ("SIREN", "company_id"),
    ("SIRET", "company_id"), ("CIN", "national_id"), ("CNI", "national_id"),
    ("N° pièce", "national_id"),
    ("CA annuel", "annual_billed"), ("Montant facturé annuel", "annual_billed"),
])
def test_known_headers(header, field):
    assert guess_field(header) == field


def test_canonical_names_name_themselves():
    assert all(guess_field(field.name) == field.name for field in FIELDS)


@pytest.mark.parametrize("header", ["categorie", "Observations", "Numéro", "", "Colonne 7"])
def test_unknown_headers(header):
    assert guess_field(header) is None


def test_normalised_headers_ignore_accents_case_punctuation_fillers_and_units():
    assert normalise_header("  Montant dû (F CFA) ") == "montant"
    assert normalise_header("N° de dossier") == normalise_header("numero dossier") == "n dossier"
    assert normalise_header("Date d'échéance") == "date echeance"


def test_no_synonym_names_two_fields():
    owners: dict[str, set[str]] = {}
    for field, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            owners.setdefault(normalise_header(synonym), set()).add(field)
    assert {key: fields for key, fields in owners.items() if len(fields) > 1} == {}
    assert set(SYNONYMS) == {field.name for field in FIELDS}


def test_unknown_columns_are_kept_as_extra():
    columns = map_columns(["Garant", "Montant", "Catégorie", "Observations"])
    assert [(c.header, c.field) for c in columns.columns] == [
        ("Garant", "debtor_name"), ("Montant", "amount"), ("Catégorie", EXTRA), ("Observations", EXTRA)]


def test_several_phone_columns_are_allowed():
    columns = map_columns(["Nom", "Montant", "Tél", "Mobile", "Téléphone 2"])
    assert [c.header for c in columns.for_field("phone")] == ["Tél", "Mobile", "Téléphone 2"]


def test_a_second_column_for_a_single_field_becomes_extra_with_a_note():
    columns = map_columns(["Nom", "Montant", "Solde"])
    assert [c.field for c in columns.columns] == ["debtor_name", "amount", EXTRA]
    assert "Solde" in columns.notes[0]


def test_saved_mapping_overrides_guesses():
    saved = {"Client": "case_ref", "Raison sociale": "debtor_name", "Somme": "amount",
             "Montant": "annual_billed", "Commentaire": IGNORE}
    columns = map_columns(["Client", "Raison sociale", "Somme", "Montant", "Commentaire"], saved)
    assert [c.field for c in columns.columns] == [
        "case_ref", "debtor_name", "amount", "annual_billed", IGNORE]


def test_saved_mapping_matches_headers_loosely_and_round_trips():
    columns = map_columns(["  SOMME DUE ", "Nom"], {"Somme dûe": "amount"})
    assert columns.for_field("amount")[0].header == "SOMME DUE"
    assert map_columns(["  SOMME DUE ", "Nom"], columns.as_mapping()) == columns


def test_saved_mapping_with_an_unknown_field_is_refused():
    with pytest.raises(MappingError, match="montant_ttc"):
        guess_columns(["Nom", "Montant"], {"Montant": "montant_ttc"})


def test_saved_mapping_giving_one_field_to_two_columns_is_refused():
    with pytest.raises(MappingError, match="montant"):
        guess_columns(["Nom", "A", "B"], {"A": "amount", "B": "amount"})


def test_missing_required_columns_are_named():
    with pytest.raises(MissingColumnsError) as caught:
        map_columns(["Dossier", "Ville"])
    assert caught.value.missing == ("debtor_name", "amount")
    assert str(caught.value) == "Colonnes obligatoires absentes : nom du débiteur, montant."
    with pytest.raises(MissingColumnsError, match="montant") as caught:
        map_columns(["Nom", "Ville"])
    assert caught.value.missing == ("amount",)


def test_guess_columns_does_not_raise_for_the_mapping_screen():
    assert guess_columns(["Dossier", "Ville"]).missing() == ("debtor_name", "amount")


def test_blank_and_repeated_headers_get_unique_labels():
    columns = map_columns(["Nom", "Montant", "", "Note", "Note"])
    assert [c.header for c in columns.columns] == ["Nom", "Montant", "Colonne 3", "Note", "Note (2)"]


def test_header_score_counts_known_and_saved_headers():
    assert header_score(["Garant", "Montant", "x"]) == 2
    assert header_score(["Client X", "Somme Y"], {"client x": "debtor_name"}) == 1
