"""The browser's side of a session: the cookie keeps only the session's random id (Flask-Login
stores what ``User.get_session_id`` returns), and every request resumes it from its row, so a
revoked, idle or too old session is refused wherever its cookie was copied."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, request, session
from flask_login import current_user, login_user, logout_user

from agency.domain.timezones import now_utc
from agency.extensions import db, login_manager
from agency.models import User
from agency.services.accounts.sessions import SessionPolicy, end_session, open_session, resume_session


def policy() -> SessionPolicy:
    return SessionPolicy(idle=timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
                         lifetime=timedelta(hours=current_app.config["SESSION_MAX_HOURS"]))


def init_sessions() -> None:
    login_manager.id_attribute = "get_session_id"
    login_manager.user_loader(load_user)


def load_user(session_id: str) -> User | None:
    user = resume_session(db.session, session_id, now=now_utc(), policy=policy())
    if db.session.dirty:
        db.session.commit()  # activity noted (at most once a minute) or the session ended
    return user


def start_session(user: User) -> None:
    """Sign ``user`` in this browser with a new session (inside the caller's audit scope);
    the old cookie's content is dropped, so a planted session id is never reused."""
    lang = session.get("lang")
    session.clear()
    open_session(db.session, user, user_agent=request.user_agent.string, address=request.remote_addr)
    db.session.commit()
    login_user(user)
    session.permanent = True  # the cookie ends with the session's lifetime (PERMANENT_SESSION_LIFETIME)
    if lang:
        session["lang"] = lang


def end_current_session(ended_by: str = "logout") -> None:
    """End this browser's session (inside the caller's audit scope) and forget the cookie."""
    if current_user.is_authenticated and current_user.session_id:
        end_session(db.session, current_user.session_id, ended_by=ended_by)
        db.session.commit()
    logout_user()
    session.clear()
