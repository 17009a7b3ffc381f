"""What an account is allowed to be: its email, its password, and how long it stays locked
after failed logins. One rule each, used by the CLI, the forms, the services and the API.
"""
from __future__ import annotations

import functools
import re
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from zxcvbn.frequency_lists import FREQUENCY_LISTS

# Special-use names (RFC 6761) that agencies give their internal mail domains; email-validator
# refuses them for the public internet, but an account only needs to be well formed.
INTERNAL_SUFFIXES = ("local", "test")

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256      # argon2 hashes anything, but a megabyte "password" is an attack
MIN_DISTINCT_CHARACTERS = 5    # "aaaaaaaaaaaa", "121212121212"

# After every LOCK_EVERY-th failure in a row the account is locked, each time longer.
LOCK_EVERY = 5
LOCK_STEPS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
FAILURES_FORGOTTEN_AFTER = timedelta(hours=24)


class AccountEmailError(ValueError):
    pass


class PasswordRejected(ValueError):
    """A password the policy refuses; ``reason`` is one of PASSWORD_REASONS."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


PASSWORD_REASONS = ("too_short", "too_long", "too_simple", "common", "like_email")


def account_email(raw: str) -> str:
    """The normalised (lower-case) account email, or AccountEmailError: syntax only, no DNS,
    and `.local` / `.test` domains accepted."""
    text = (raw or "").strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or "." not in domain:
        raise AccountEmailError(f"not an email address: {text!r}")
    suffix = domain.rsplit(".", 1)[1].lower()
    checked = f"{domain[:-len(suffix)]}test" if suffix in INTERNAL_SUFFIXES else domain
    try:
        valid = validate_email(f"{local}@{checked}", check_deliverability=False,
                               test_environment=True, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise AccountEmailError(f"not an email address: {text!r} ({exc})") from None
    normal_domain = valid.domain[:-len("test")] + suffix if suffix in INTERNAL_SUFFIXES else valid.domain
    return f"{valid.local_part}@{normal_domain}".lower()


def check_password(password: str, *, email: str | None = None) -> None:
    """Raise PasswordRejected unless ``password`` may be set for the account ``email``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected("too_short", f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRejected("too_long", f"the password has more than {MAX_PASSWORD_LENGTH} characters")
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        raise PasswordRejected("too_simple", "the password repeats too few different characters")
    if is_common_password(password):
        raise PasswordRejected("common", "the password is among the most common ones")
    if email and _looks_like_email(password, email):
        raise PasswordRejected("like_email", "the password must not be the email address")


def is_common_password(password: str) -> bool:
    """In the 30,000 most common passwords (zxcvbn's list), also once trailing digits and
    symbols are taken off ("password2026!")."""
    lowered = password.lower()
    core = re.sub(r"[\W\d_]+$", "", lowered)
    common = _common_passwords()
    return lowered in common or (len(core) >= 4 and core in common)


def _looks_like_email(password: str, email: str) -> bool:
    lowered = password.strip().lower()
    return lowered == email.lower() or lowered == email.lower().partition("@")[0]


@functools.cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def lock_after(failures: int) -> timedelta | None:
    """How long an account is locked after its ``failures``-th failed login in a row."""
    if failures <= 0 or failures % LOCK_EVERY:
        return None
    return LOCK_STEPS[min(failures // LOCK_EVERY, len(LOCK_STEPS)) - 1]
