"""Signed-in sessions as rows: the browser keeps a random id, we keep its SHA-256, so ending
a session is one UPDATE and takes effect on the next request wherever the cookie is."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agency.models import User, UserSession
from agency.security import token_digest
from agency.services.audit import current_scope

# Why a session ended: the user logged out, changed its password, was deactivated, was
# signed out everywhere (by itself or an admin), or the session went idle or too old.
ENDINGS = ("logout", "password", "deactivated", "signout", "idle", "expired")
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)


def open_session(session: Session, user: User, *, user_agent: str | None = None,
                 address: str | None = None) -> str:
    """A new session for ``user``; returns its id, which only the browser keeps."""
    now = current_scope(session).now
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=token_digest(token), created_at=now,
                            last_seen_at=now, user_agent=(user_agent or "")[:255] or None,
                            address=(address or "")[:64] or None))
    session.flush()
    user.session_id = token
    return token


def resume_session(session: Session, token: str, *, now: datetime,
                   policy: SessionPolicy) -> User | None:
    """The user of a live session, or None (unknown, revoked, idle, too old, user inactive).
    Ends an idle or too old session, and notes activity at most once a minute."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    ending = ("expired" if now >= row.created_at + policy.lifetime
              else "idle" if now >= row.last_seen_at + policy.idle else None)
    if ending is not None:
        row.revoked_at, row.ended_by = now, ending
        return None
    if not row.user.active:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    row.user.session_id = token
    return row.user


def end_session(session: Session, token: str, *, ended_by: str = "logout") -> None:
    session.execute(update(UserSession)
                    .where(UserSession.token_hash == token_digest(token), UserSession.revoked_at.is_(None))
                    .values(revoked_at=current_scope(session).now, ended_by=ended_by)
                    .execution_options(synchronize_session=False))


def end_all_sessions(session: Session, user: User, *, ended_by: str) -> int:
    """End every live session of ``user``; returns how many."""
    result = session.execute(update(UserSession)
                             .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
                             .values(revoked_at=current_scope(session).now, ended_by=ended_by)
                             .execution_options(synchronize_session=False))
    return result.rowcount


def live_sessions(session: Session, user: User, *, now: datetime, policy: SessionPolicy) -> list[UserSession]:
    """The user's sessions that are neither revoked nor expired, newest first."""
    rows = session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                     UserSession.revoked_at.is_(None))
                           .order_by(UserSession.last_seen_at.desc()))
    return [r for r in rows if now < r.created_at + policy.lifetime and now < r.last_seen_at + policy.idle]
