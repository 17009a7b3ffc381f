"""Passwords (argon2), API tokens (stored as SHA-256) and the roles."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

STAFF_ROLES = ("admin", "direction", "team_lead", "agent")
CREDITOR_ROLE = "creditor"
ROLES = STAFF_ROLES + (CREDITOR_ROLE,)
TEAMS = ("amicable", "judicial", "injunction")

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_api_token() -> tuple[str, str, str]:
    """A fresh token, its display prefix and the hash we keep (the token is shown once)."""
    token = "rcv_" + secrets.token_urlsafe(32)
    return token, token[:12], token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_password() -> str:
    """A random password: 16 URL-safe characters (96 bits), never a common one."""
    return secrets.token_urlsafe(12)
