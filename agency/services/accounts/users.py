"""What is done to an account after it exists: its password, deactivation, signing it out
everywhere, resetting its second factor. Each ends the sessions it must."""
from __future__ import annotations

from sqlalchemy.orm import Session

from agency.domain.accounts import check_password
from agency.models import User
from agency.security import hash_password, verify_password
from agency.services.accounts import two_factor
from agency.services.accounts.sessions import end_all_sessions
from agency.services.audit import current_scope, record


class AccountError(ValueError):
    pass


def set_password(session: Session, user: User, password: str) -> int:
    """A new password (checked against the policy); every session of the user ends.
    Returns how many sessions were ended."""
    check_password(password, email=user.email)
    user.password_hash = hash_password(password)
    user.password_changed_at = current_scope(session).now
    record(session, verb="user.password_changed", changes={"user": [None, user.email]})
    return end_all_sessions(session, user, ended_by="password")


def change_own_password(session: Session, user: User, *, current: str, new: str) -> int:
    """The user changes its password, proving it knows the current one."""
    if not verify_password(user.password_hash, current):
        raise AccountError("the current password is wrong")
    return set_password(session, user, new)


def deactivate(session: Session, user: User) -> int:
    """The user can no longer sign in; its sessions end now. Returns how many ended."""
    user.active = False
    record(session, verb="user.deactivated", changes={"user": [None, user.email], "active": [True, False]})
    return end_all_sessions(session, user, ended_by="deactivated")


def reactivate(session: Session, user: User) -> None:
    user.active = True
    record(session, verb="user.reactivated", changes={"user": [None, user.email], "active": [False, True]})


def sign_out_everywhere(session: Session, user: User) -> int:
    """End every session of the user (a lost laptop, a suspicion)."""
    ended = end_all_sessions(session, user, ended_by="signout")
    record(session, verb="user.signed_out", changes={"user": [None, user.email], "sessions": [None, ended]})
    return ended


def reset_two_factor(session: Session, user: User) -> int:
    """An administrator removes a user's second factor (lost phone and codes): the user
    enrols again at its next login; its sessions end."""
    if not user.has_two_factor and not user.totp_secret:
        raise AccountError(f"{user.email} has no second factor")
    two_factor.turn_off(session, user)
    return end_all_sessions(session, user, ended_by="signout")
