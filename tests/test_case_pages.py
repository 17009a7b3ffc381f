"""A case of any size opens a page at a time: its claims, ledger, actions and history are
read in bounded pages, its balance from the case row, never all its rows."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from agency.models import Claim, LedgerEntry
from agency.models.audit import AuditEvent
from agency.services.directory import create_token

CLAIMS = 120


@pytest.fixture
def big_case(session, scope, make_case, make_creditor):
    creditor = make_creditor("BIG")
    case = make_case(creditor, amounts=[1000 + n for n in range(CLAIMS)])
    session.commit()
    return case


@pytest.fixture
def loaded(session):
    """How many rows of each model the ORM builds during the test."""
    counts: dict[type, int] = {}

    def count(target, context):
        counts[type(target)] = counts.get(type(target), 0) + 1
    models = (Claim, LedgerEntry, AuditEvent)
    for model in models:
        event.listen(model, "load", count)
    yield counts
    for model in models:
        event.remove(model, "load", count)


def _rows(page: str, marker: str) -> int:
    return page.count(marker)


def test_the_backoffice_case_page_reads_a_page_of_each_list(client, session, login, make_user,
                                                            big_case, loaded):
    login(make_user("agent", team="amicable"))
    loaded.clear()
    page = client.get(f"/cases/{big_case.reference}").get_data(as_text=True)
    assert 'id="claims-count">(120)' in page
    assert _rows(page, "<td>INV-") == 50
    assert 'data-pager="claims_page"' in page and 'data-pager="entries_page"' in page
    assert 'data-pager="events_page"' in page
    assert loaded[Claim] <= 50 and loaded[LedgerEntry] <= 50 and loaded[AuditEvent] <= 50
    expected = sum(1000 + n for n in range(CLAIMS))
    assert f"{expected:,}".replace(",", "\u202f") in page
    last = client.get(f"/cases/{big_case.reference}?claims_page=3&entries_page=3").get_data(as_text=True)
    assert _rows(last, "<td>INV-") == 20


def test_the_creditor_portal_case_page_is_paged_too(client, session, login, make_user, big_case,
                                                    loaded):
    login(make_user("creditor", creditor="BIG"))
    loaded.clear()
    page = client.get(f"/portal/cases/{big_case.reference}").get_data(as_text=True)
    assert _rows(page, "<td>INV-") == 50
    assert loaded[Claim] <= 50 and loaded[LedgerEntry] <= 50


def test_the_api_case_is_paged(client, session, big_case, loaded):
    _, token = create_token(session, creditor="BIG")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    loaded.clear()
    body = client.get(f"/api/v1/cases/{big_case.reference}?per_page=40&page=3",
                      headers=headers).get_json()
    assert len(body["claims"]) == 40 and loaded[Claim] <= 40
    assert body["pagination"]["claims"] == {"page": 3, "per_page": 40, "pages": 3, "total": 120}
    assert body["balance_minor"] == sum(1000 + n for n in range(CLAIMS))
    beyond = client.get(f"/api/v1/cases/{big_case.reference}?per_page=100000", headers=headers)
    assert beyond.status_code == 400 and beyond.get_json()["parameter"] == "per_page"  # at most 500


def test_the_case_list_reads_balances_from_the_cases_not_their_entries(client, session, login,
                                                                       make_user, big_case, loaded):
    login(make_user("agent", team="amicable"))
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)
    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = client.get("/cases?creditor=BIG").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert big_case.reference in page
    assert not [s for s in statements if "ledger_entry" in s]


def test_the_debtors_page_is_paged(client, session, big_case, app):
    from agency.services.links import signer_from_config
    token = signer_from_config(app.config).case_token(big_case.id, big_case.reference)
    page = client.get(f"/d/{token}").get_data(as_text=True)
    assert _rows(page, "<td>INV-") == 50
    assert _rows(client.get(f"/d/{token}?claims_page=3").get_data(as_text=True), "<td>INV-") == 20
