"""The demo's logins: the password of each demo account, chosen once and kept by the caller.

`agency demo` keeps them in the instance folder and prints them on every run; here they
are chosen and checked against the users, so that what is printed always logs in.
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from agency.security import hash_password, new_password, verify_password
from agency.services.demo import DEMO_LOGINS
from agency.services.directory import find_user


def choose_passwords(kept: Mapping[str, str], password: str | None = None) -> dict[str, str]:
    """Each demo login's password: ``password`` when given, else the kept one, else a new one."""
    return {email: password or kept.get(email) or new_password() for email, _ in DEMO_LOGINS}


def align_passwords(session: Session, passwords: Mapping[str, str]) -> list[str]:
    """Give each demo user its password where it has another one; returns their emails."""
    changed = []
    for email, _ in DEMO_LOGINS:
        user = find_user(session, email)
        if user is not None and not verify_password(user.password_hash, passwords[email]):
            user.password_hash = hash_password(passwords[email])
            changed.append(email)
    session.flush()
    return changed


def demo_logins(passwords: Mapping[str, str]) -> list[dict]:
    """The logins to print, in the demo's order: role, email, password."""
    return [{"role": role, "email": email, "password": passwords[email]}
            for email, role in DEMO_LOGINS]
