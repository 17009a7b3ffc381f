"""Callable factory fixtures: make_creditor(...), make_user(...), make_case(...)."""
from __future__ import annotations

import itertools
import re
from datetime import date

import pyotp
import pytest

from agency.domain.money import Money
from agency.domain.timezones import now_utc
from agency.services.accounts.two_factor import STEP_SECONDS, is_required
from agency.services.cases import ClaimInput, open_case
from agency.services.debtors import AddressInput, DebtorInput, create_debtor
from agency.services.creditors.onboarding import take_on_creditor
from agency.services.directory import create_user

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


@pytest.fixture
def make_creditor(session, scope):
    def make(code: str | None = None, *, country: str = "SN", currency: str = "XOF",
             playbook: str | None = None, terms: dict | None = None, **identity):
        creditor, _ = take_on_creditor(session, code=code or f"CR{next(_serial)}",
                                       name=f"Creditor {code}", country=country, currency=currency,
                                       playbook=playbook, terms=terms, **identity)
        return creditor
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
def login(client, session):
    """Sign ``user`` in as a person would: the password, then the code of its authenticator
    for users who have one, or the enrolment pages for users who must have one."""
    def do_login(user, password: str = PASSWORD):
        return sign_in(client, session, user, password)
    return do_login


def sign_in(client, session, user, password: str = PASSWORD):
    """The password, then the second factor: its code, or its enrolment at a first login."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data[:500]
    if response.location.endswith("/login/code"):
        response = client.post("/login/code", data={"code": totp_code(session, user)})
        assert response.status_code == 302 and "/login" not in response.location, response.data[:500]
    elif is_required(user) and not user.has_two_factor:
        enrol_two_factor(client, session, user)
    return client


SECRET_ON_PAGE = re.compile(r'id="totp-secret">([A-Z2-7]+)<')


def enrol_two_factor(client, session, user) -> list[str]:
    """Enrol through the pages: read the secret shown, answer with its code; the recovery codes."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = SECRET_ON_PAGE.search(page).group(1)
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and 'id="recovery-codes"' in done.get_data(as_text=True)
    session.refresh(user)
    return re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", done.get_data(as_text=True))


def totp_code(session, user) -> str:
    """The authenticator's code now, or of the next step when this one was already used."""
    session.refresh(user)
    step = int(now_utc().timestamp()) // STEP_SECONDS
    if user.totp_last_step is not None and user.totp_last_step >= step:
        step = user.totp_last_step + 1
    return pyotp.TOTP(user.totp_secret).at(step * STEP_SECONDS)
