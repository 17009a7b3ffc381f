"""The account rules: what an account email is, which passwords are refused, the lock."""
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency.domain.accounts import (
    LOCK_EVERY, AccountEmailError, PasswordRejected, account_email, check_password, lock_after)


@pytest.mark.parametrize("raw, normal", [
    ("lead@agence.local", "lead@agence.local"),
    (" Lead@Agence.LOCAL ", "lead@agence.local"),
    ("qa@recouvra.test", "qa@recouvra.test"),
    ("awa@agency.sn", "awa@agency.sn"),
    ("Moussa.Diop@Example.COM", "moussa.diop@example.com"),
])
def test_account_emails_accept_internal_domains_and_normalise(raw, normal):
    assert account_email(raw) == normal


@pytest.mark.parametrize("raw", ["", "lead", "lead@", "@agence.local", "lead@local", "a b@x.sn",
                                 "lead@agence..local", "lead@-x.sn", "x@y.onion"])
def test_malformed_account_emails_are_refused(raw):
    with pytest.raises(AccountEmailError):
        account_email(raw)


@given(st.emails())
def test_every_wellformed_email_is_its_own_normal_form_once_normalised(email):
    try:
        once = account_email(email)
    except AccountEmailError:
        return
    assert account_email(once) == once == once.lower()


@pytest.mark.parametrize("password, reason", [
    ("a", "too_short"), ("elevenchars", "too_short"), ("x" * 257, "too_long"),
    ("aaaaaaaaaaaa", "too_simple"), ("121212121212", "too_simple"),
    ("qwerty123456", "common"), ("1qaz2wsx3edc", "common"), ("Password2026!", "common"),
    ("Sunshine123456", "common"),
    ("lead@agence.local", "like_email"), ("longlocalpart", "like_email"),
])
def test_weak_passwords_are_refused_with_their_reason(password, reason):
    email = "longlocalpart@agence.local" if password == "longlocalpart" else "lead@agence.local"
    with pytest.raises(PasswordRejected) as refused:
        check_password(password, email=email)
    assert refused.value.reason == reason


@pytest.mark.parametrize("password", ["correct horse battery", "Tabaski-à-Thiès-2026", "vUq9!kP2#rT7"])
def test_good_passwords_pass(password):
    check_password(password, email="lead@agence.local")


def test_the_lock_grows_every_fifth_failure_and_stops_growing():
    assert [lock_after(n) for n in range(1, LOCK_EVERY)] == [None] * (LOCK_EVERY - 1)
    locks = [lock_after(LOCK_EVERY * k) for k in range(1, 7)]
    assert locks[:4] == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1)]
    assert locks[4:] == [timedelta(hours=1)] * 2
    assert lock_after(0) is None and lock_after(LOCK_EVERY + 1) is None
