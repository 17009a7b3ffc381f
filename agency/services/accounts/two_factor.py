"""The second factor: a TOTP secret (RFC 6238, any authenticator app) confirmed once with a
code, and ten one-time recovery codes for a lost phone.

The secret is stored as is and shown only until it is confirmed; recovery codes are random
(50 bits) and stored as SHA-256 like API tokens. A TOTP code is accepted once: the step it
belongs to is remembered, so a code seen over a shoulder cannot be replayed.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agency.models import RecoveryCode, User
from agency.services.audit import current_scope, record

ISSUER = "Recouvra"
STEP_SECONDS = 30
RECOVERY_CODES = 10
ROLES_REQUIRING = ("admin", "direction")
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: read from paper


class TwoFactorError(ValueError):
    pass


def is_required(user: User) -> bool:
    """Admin and direction must use a second factor; a creditor may require it of its users."""
    if user.role in ROLES_REQUIRING:
        return True
    return user.role == "creditor" and user.creditor_id is not None and bool(
        user.creditor and user.creditor.require_two_factor)


def pending_secret(session: Session, user: User) -> str:
    """The secret to enrol, made once and kept until it is confirmed (then never shown)."""
    if user.has_two_factor:
        raise TwoFactorError("two-factor authentication is already on")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        session.flush()
    return user.totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def confirm_enrolment(session: Session, user: User, code: str) -> list[str]:
    """Turn the second factor on with a first code from the app; returns the recovery codes."""
    now = current_scope(session).now
    if user.has_two_factor or not user.totp_secret:
        raise TwoFactorError("no enrolment in progress")
    step = _matching_step(user.totp_secret, code, now, None)
    if step is None:
        raise TwoFactorError("wrong code")
    user.totp_enabled_at, user.totp_last_step = now, step
    record(session, verb="user.two_factor_on", changes={"user": [None, user.email]})
    return replace_recovery_codes(session, user)


def verify_second_factor(session: Session, user: User, code: str) -> str | None:
    """'totp' or 'recovery' when ``code`` is a valid, unused second factor of ``user``; None otherwise."""
    now = current_scope(session).now
    if not user.has_two_factor:
        return None
    step = _matching_step(user.totp_secret, code, now, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return "totp"
    digest = _digest(normal_recovery_code(code))
    for row in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                          RecoveryCode.used_at.is_(None))):
        if hmac.compare_digest(row.code_hash, digest):
            row.used_at = now
            record(session, verb="user.recovery_code_used", changes={"user": [None, user.email]})
            return "recovery"
    return None


def replace_recovery_codes(session: Session, user: User) -> list[str]:
    """Ten new recovery codes (shown once); the old ones stop working."""
    now = current_scope(session).now
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(normal_recovery_code(c)),
                                 created_at=now) for c in codes)
    session.flush()
    return codes


def unused_recovery_codes(session: Session, user: User) -> int:
    return len(session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def turn_off(session: Session, user: User) -> None:
    """Remove the second factor (the user's choice where allowed, or an admin's reset)."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record(session, verb="user.two_factor_off", changes={"user": [user.email, None]})
    session.flush()


def normal_recovery_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step (the previous, current or next, for clock drift) whose code is ``code``."""
    code = re.sub(r"\s", "", code or "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
