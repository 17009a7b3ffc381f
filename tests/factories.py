"""Callable factory fixtures: make_creditor(...), make_user(...), make_case(...)."""
from __future__ import annotations

import itertools
from datetime import date

import pytest

from agency.domain.money import Money
from agency.services.cases import ClaimInput, open_case
from agency.services.debtors import AddressInput, DebtorInput, create_debtor
from agency.services.directory import create_creditor, create_user

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


@pytest.fixture
def make_creditor(session, scope):
    def make(code: str | None = None, *, country: str = "SN", currency: str = "XOF", **terms):
        return create_creditor(session, code=code or f"CR{next(_serial)}", name=f"Creditor {code}",
                               country=country, currency=currency, **terms)
    return make


@pytest.fixture
def make_user(session, scope):
    def make(role: str = "agent", *, email: str | None = None, **kwargs):
        email = email or f"{role}{next(_serial)}@test.example"
        return create_user(session, email=email, role=role, password=PASSWORD, **kwargs)
    return make


@pytest.fixture
def make_debtor(session, scope):
    def make(name: str = "Awa Diop", *, country: str = "SN", phones=("+221771234567",), **kwargs):
        return create_debtor(session, DebtorInput(
            name=name, country=country, phones=tuple(phones),
            addresses=(AddressInput("1 rue Carnot", "Dakar", None, country),), **kwargs))
    return make


@pytest.fixture
def make_case(session, scope, make_creditor, make_debtor):
    def make(creditor=None, debtor=None, *, amounts=(150_000,), external_ref: str | None = None,
             deposit: date = date(2026, 1, 5), **kwargs):
        creditor = creditor or make_creditor()
        debtor = debtor or make_debtor()
        claims = [ClaimInput(reference=f"INV-{next(_serial)}", amount=Money(a, creditor.currency),
                             issue_date=deposit, deposit_date=deposit, due_date=deposit)
                  for a in amounts]
        return open_case(session, creditor=creditor, debtor=debtor,
                         external_ref=external_ref or f"EXT-{next(_serial)}", claims=claims, **kwargs)
    return make


@pytest.fixture
def login(client):
    def do_login(user, password: str = PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.data[:500]
        return client
    return do_login
