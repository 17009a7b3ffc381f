"""Same debtor or not: normalised names, legal forms, identifiers, shared contacts."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from agency.domain.intake import names_match, normalise_name, same_debtor
from agency.domain.intake.names import has_legal_form


@pytest.mark.parametrize("first, second", [
    ("EIFFAGE", "Eiffage S.A."), ("Sté Élevée SARL", "ELEVEE"), ("DIOP Awa", "Awa Diop"),
    ("SEN'EAU", "Sen eau"), ("NESTLÉ", "Nestle SAS"), ("Ets Ndiaye & Fils", "NDIAYE & FILS"),
    ("محمد العلوي", "محمد  العلوي"),
])
def test_names_that_match(first, second):
    assert names_match(first, second)


@pytest.mark.parametrize("first, second", [
    ("EIFFAGE", "EIFFAGE SENEGAL"), ("Awa Diop", "Awa Diouf"), ("", ""), ("SA", "SARL"),
])
def test_names_that_do_not(first, second):
    assert not names_match(first, second)


def test_normalised_names():
    assert normalise_name("  Sté  ÉIFFAGE   S.A. ") == "eiffage"
    assert normalise_name("SARL") == "sarl"  # nothing but a legal form: kept
    assert has_legal_form("Diop & Fils SUARL") and not has_legal_form("Awa Diop")


@dataclass
class Debtor:
    name: str
    company_id: str | None = None
    national_id: str | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


def test_same_company_or_national_id():
    assert same_debtor(Debtor("A", company_id="X1"), Debtor("Autre nom", company_id="X1"))
    assert not same_debtor(Debtor("A", company_id="X1", phones=("+2217",)),
                           Debtor("A", company_id="X2", phones=("+2217",)))
    assert same_debtor(Debtor("Awa", national_id="N1"), Debtor("Awa Diop", national_id="N1"))


def test_same_contact_needs_a_matching_name():
    phone = ("+221771234567",)
    assert same_debtor(Debtor("Awa DIOP", phones=phone), Debtor("Diop Awa", phones=phone))
    assert not same_debtor(Debtor("Awa DIOP", phones=phone), Debtor("Moussa DIOP", phones=phone))
    assert same_debtor(Debtor("ACME SA", emails=("a@acme.sn",)), Debtor("Acme", emails=("a@acme.sn",)))
    assert not same_debtor(Debtor("ACME"), Debtor("ACME"))
