"""Checking a password at login, with the lock after failed attempts in a row.

An email that matches no account does exactly the work of one that does: its failures are
counted and locked the same way (per email typed, see LoginThrottle) and its password is
checked against a dummy argon2 hash, so neither the answer, nor the lock, nor the time
tells which accounts exist. Only a real, active account is told of its lock by email.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agency.domain.accounts import FAILURES_FORGOTTEN_AFTER, AccountEmailError, account_email, lock_after
from agency.models import LoginThrottle, User
from agency.security import hash_password, verify_password
from agency.services.audit import current_scope, record
from agency.services.directory import find_user
from agency.services.messages import queue_message

# Same argon2 parameters as real hashes, so checking it costs the same time.
_DUMMY_HASH = hash_password(secrets.token_hex(16))


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User | None = None             # set when the password was right
    locked_until: datetime | None = None  # set when the email is locked (now or already)
    lock_message_id: int | None = None    # the email telling the user, to send after commit


def throttle_subject(email: str) -> str:
    """What failures are counted by: the SHA-256 of the normalised email as typed."""
    try:
        normal = account_email(email)
    except AccountEmailError:
        normal = (email or "").strip().lower()
    return hashlib.sha256(normal.encode()).hexdigest()


def check_password_login(session: Session, *, email: str, password: str) -> LoginResult:
    """The first step of a login: the account if the password is right and it is not locked."""
    subject = throttle_subject(email)
    until = locked_until(session, subject)
    if until is not None:
        return LoginResult(locked_until=until)
    user = find_user(session, email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    right = verify_password(stored, password) and stored is not _DUMMY_HASH
    if right and user.active:
        return LoginResult(user=user)  # failures are cleared once the whole login succeeds
    return record_failure(session, subject, user)


def record_failure(session: Session, subject: str, user: User | None) -> LoginResult:
    """One more failure for ``subject`` (a wrong password or second factor); locks it on
    every fifth, longer each time, and queues the email telling the account's owner."""
    now = current_scope(session).now
    throttle = _throttle(session, subject)
    if throttle.last_failure_at is not None and now - throttle.last_failure_at > FAILURES_FORGOTTEN_AFTER:
        throttle.failures = 0
        session.flush()
    # one UPDATE, so two attempts at the same moment both count
    failures = session.execute(
        update(LoginThrottle).where(LoginThrottle.subject == subject)
        .values(failures=LoginThrottle.failures + 1, last_failure_at=now)
        .returning(LoginThrottle.failures).execution_options(synchronize_session=False)).scalar_one()
    session.expire(throttle)
    lock = lock_after(failures)
    if lock is None:
        return LoginResult()
    throttle.locked_until = now + lock
    message_id = None
    if user is not None and user.active:
        message_id = _tell_owner(session, user, throttle.locked_until, failures)
    return LoginResult(locked_until=throttle.locked_until, lock_message_id=message_id)


def clear_failures(session: Session, subject: str) -> None:
    session.execute(update(LoginThrottle).where(LoginThrottle.subject == subject)
                    .values(failures=0, locked_until=None).execution_options(synchronize_session=False))


def locked_until(session: Session, subject: str) -> datetime | None:
    """When the lock on ``subject`` ends, if it is locked now."""
    until = session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.subject == subject))
    return until if until is not None and until > current_scope(session).now else None


def forget_old_failures(session: Session, *, now: datetime) -> int:
    """Delete the counts nobody needs any more (no lock running, last failure over a day ago):
    emails typed at random would otherwise pile up."""
    result = session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < now - FAILURES_FORGOTTEN_AFTER,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now)))
    return result.rowcount


def _throttle(session: Session, subject: str) -> LoginThrottle:
    row = session.get(LoginThrottle, subject)
    if row is not None:
        return row
    try:
        with session.begin_nested():  # another request may insert the same subject now
            row = LoginThrottle(subject=subject, failures=0)
            session.add(row)
    except IntegrityError:
        row = session.get(LoginThrottle, subject, populate_existing=True)
    return row


LOCK_MAIL = {
    "fr": ("Votre compte Recouvra est verrouillé temporairement",
           "Bonjour {name},\n\nAprès {failures} tentatives de connexion échouées, votre compte "
           "{email} est verrouillé jusqu'à {until} (UTC).\n\nSi ce n'était pas vous, quelqu'un "
           "essaie peut-être de deviner votre mot de passe : prévenez votre administrateur."),
    "en": ("Your Recouvra account is temporarily locked",
           "Hello {name},\n\nAfter {failures} failed sign-in attempts, your account {email} is "
           "locked until {until} (UTC).\n\nIf this was not you, someone may be trying to guess "
           "your password: tell your administrator."),
}


def _tell_owner(session: Session, user: User, until: datetime, failures: int) -> int:
    subject, body = LOCK_MAIL.get(user.locale, LOCK_MAIL["fr"])
    message = queue_message(
        session, channel="email", to=user.email, subject=subject, respect_window=False,
        body=body.format(name=user.name, failures=failures, email=user.email,
                         until=until.strftime("%d/%m/%Y %H:%M")),
        idempotency_key=f"login-lock-{user.id}-{until.isoformat()}")
    record(session, verb="user.locked", changes={"user": [None, user.email],
                                                 "locked_until": [None, until.isoformat()]})
    return message.id
