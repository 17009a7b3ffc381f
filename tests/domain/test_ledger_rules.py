import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency.domain.ledger import ENTRY_SIGNS, EntryView, LedgerError, balance, check_entry, reversal_of
from agency.domain.money import Money


def entries_strategy():
    def entry(kind_and_amount):
        kind, magnitude = kind_and_amount
        sign = ENTRY_SIGNS[kind] or 1
        return EntryView(id=None, kind=kind, amount=Money(sign * magnitude, "XOF"))
    return st.lists(st.tuples(st.sampled_from(sorted(ENTRY_SIGNS)), st.integers(1, 10**12)).map(entry),
                    max_size=40)


@given(entries=entries_strategy())
def test_balance_is_the_sum_of_entries(entries):
    assert balance(entries, "XOF").minor == sum(e.amount.minor for e in entries)


@given(entries=entries_strategy(), data=st.data())
def test_reversing_any_entries_removes_exactly_them(entries, data):
    numbered = [EntryView(id=i, kind=e.kind, amount=e.amount) for i, e in enumerate(entries)]
    chosen = data.draw(st.sets(st.sampled_from(range(len(numbered))) if numbered else st.nothing()))
    reversals = [reversal_of(numbered[i], already_reversed=False) for i in chosen]
    expected = sum(e.amount.minor for i, e in enumerate(numbered) if i not in chosen)
    assert balance(numbered + reversals, "XOF").minor == expected


def test_signs_are_enforced():
    check_entry("payment", Money(-100, "XOF"))
    with pytest.raises(LedgerError):
        check_entry("payment", Money(100, "XOF"))
    with pytest.raises(LedgerError):
        check_entry("claim", Money(-100, "XOF"))
    with pytest.raises(LedgerError):
        check_entry("fee", Money(0, "XOF"))
    with pytest.raises(LedgerError):
        check_entry("gift", Money(5, "XOF"))
    check_entry("adjustment", Money(-5, "XOF"))
    check_entry("adjustment", Money(5, "XOF"))


def test_a_reversal_is_not_reversed_and_an_entry_only_once():
    entry = EntryView(id=1, kind="fee", amount=Money(500, "MAD"))
    reversal = reversal_of(entry, already_reversed=False)
    assert reversal.amount == Money(-500, "MAD") and reversal.reverses_id == 1
    with pytest.raises(LedgerError):
        reversal_of(entry, already_reversed=True)
    with pytest.raises(LedgerError):
        reversal_of(EntryView(id=2, kind="fee", amount=Money(-500, "MAD"), reverses_id=1), False)
