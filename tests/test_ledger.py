import pytest
from sqlalchemy import func, select

from agency.domain.ledger import LedgerError
from agency.domain.money import Money
from agency.models import AuditEvent, LedgerEntry
from agency.services.ledger import case_balance, ledger_of, post_entry, reverse_entry


def test_balance_is_derived_from_entries_and_reversals(session, make_case):
    case = make_case(amounts=(100_000, 50_000))
    assert case_balance(session, case) == Money(150_000, "XOF")
    payment = post_entry(session, case=case, kind="payment", amount=Money(-30_000, "XOF"))
    fee = post_entry(session, case=case, kind="fee", amount=Money(5_000, "XOF"))
    assert case_balance(session, case).minor == 125_000
    reverse_entry(session, entry=fee, reason="frais non exigibles (L111-8)")
    reverse_entry(session, entry=payment, reason="chèque impayé")
    assert case_balance(session, case).minor == 150_000
    total = session.scalar(select(func.sum(LedgerEntry.amount_minor)).where(LedgerEntry.case_id == case.id))
    assert case_balance(session, case).minor == total
    assert len(ledger_of(session, case)) == 6


def test_an_entry_is_reversed_once(session, make_case):
    case = make_case()
    fee = post_entry(session, case=case, kind="fee", amount=Money(1_000, "XOF"))
    reversal = reverse_entry(session, entry=fee, reason="erreur")
    with pytest.raises(LedgerError):
        reverse_entry(session, entry=fee, reason="encore")
    with pytest.raises(LedgerError):
        reverse_entry(session, entry=reversal, reason="annuler l'annulation")


def test_idempotency_key_books_an_event_once(session, make_case):
    case = make_case()
    first = post_entry(session, case=case, kind="payment", amount=Money(-10_000, "XOF"),
                       idempotency_key="stripe:pi_123")
    second = post_entry(session, case=case, kind="payment", amount=Money(-10_000, "XOF"),
                        idempotency_key="stripe:pi_123")
    assert first.id == second.id
    assert case_balance(session, case).minor == 140_000


def test_currency_must_match_the_case(session, make_case):
    case = make_case()
    with pytest.raises(LedgerError):
        post_entry(session, case=case, kind="fee", amount=Money(100, "EUR"))


def test_each_posting_is_audited(session, make_case):
    case = make_case()
    post_entry(session, case=case, kind="payment", amount=Money(-10_000, "XOF"))
    verbs = session.scalars(select(AuditEvent.verb).where(AuditEvent.case_id == case.id)).all()
    assert "case.created" in verbs and "ledger.claim" in verbs and "ledger.payment" in verbs


def test_the_case_balance_column_follows_every_insert(session, make_case):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    case = make_case(amounts=(100_000,))

    @settings(max_examples=15, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["payment", "fee", "adjustment", "write_off"]),
                              st.integers(1, 10**9)), max_size=6))
    def check(postings):
        for kind, magnitude in postings:
            sign = -1 if kind in ("payment", "write_off") else 1
            post_entry(session, case=case, kind=kind, amount=Money(sign * magnitude, "XOF"))
        session.flush()
        session.refresh(case)
        assert case.balance_minor == case_balance(session, case).minor

    check()


def test_ledger_entries_are_never_edited(session, make_case):
    from agency.models.ledger import LedgerIsAppendOnly
    case = make_case()
    entry = ledger_of(session, case)[0]
    entry.amount_minor = 1
    with pytest.raises(LedgerIsAppendOnly):
        session.flush()
    session.rollback()
