"""Signing in: the password, then the second factor for those who have one; the lock after
failed attempts (per email typed), Flask-Limiter's caps per address and per email, logout."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from agency.access import PUBLIC, allow
from agency.auth import bp, home_for, safe_next
from agency.auth.forms import CodeForm, LoginForm
from agency.auth.sessions import end_current_session, start_session
from agency.domain.timezones import now_utc, parse_instant
from agency.errors import error_page
from agency.extensions import db, limiter
from agency.models import User
from agency.services.accounts import login as logins
from agency.services.accounts.two_factor import verify_second_factor
from agency.services.audit import Actor, audit_scope
from workers.messages import dispatch

PENDING_KEY = "login_pending"           # the password was right, the second factor is awaited
PENDING_LIFETIME = timedelta(minutes=5)


def _per_address() -> str:
    return current_app.config["LOGIN_RATE_PER_ADDRESS"]


def _per_account() -> str:
    return current_app.config["LOGIN_RATE_PER_ACCOUNT"]


def _account_key() -> str:
    """The email typed, or for the second step the account awaiting its code."""
    pending = session.get(PENDING_KEY) or {}
    return "login-account:" + (pending.get("subject") or logins.throttle_subject(request.form.get("email", "")))


limit_logins = [limiter.limit(_per_address, methods=["POST"], scope="login-address"),
                limiter.limit(_per_account, methods=["POST"], key_func=_account_key, scope="login-account")]


def _rate_limited(view):
    for decorate in limit_logins:
        view = decorate(view)
    return view


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@_rate_limited
def login():
    form = LoginForm()
    if form.validate_on_submit():
        with audit_scope(db.session, Actor.system("login"), now_utc()):
            result = logins.check_password_login(db.session, email=form.email.data,
                                                 password=form.password.data)
        db.session.commit()
        if result.lock_message_id is not None:
            dispatch([result.lock_message_id])
        if result.locked_until is not None:
            return locked(result.locked_until)
        if result.user is not None:
            return _second_step(result.user, logins.throttle_subject(form.email.data))
        flash(_("Email ou mot de passe incorrect."), "danger")
    return render_template("auth/login.html", form=form, next=safe_next())


def _second_step(user: User, subject: str):
    """Ask for the code of users who have a second factor; sign the others in."""
    target = safe_next()
    if not user.has_two_factor:
        return _sign_in(user, subject, target)
    session.clear()
    session[PENDING_KEY] = {"user": user.id, "subject": subject, "at": now_utc().isoformat(), "next": target}
    return redirect(url_for("auth.login_code"))


@bp.route("/login/code", methods=["GET", "POST"])
@allow(PUBLIC)
@_rate_limited
def login_code():
    user, subject = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        with audit_scope(db.session, Actor.of_user(user), now_utc()):
            until = logins.locked_until(db.session, subject)
            kind = None if until else verify_second_factor(db.session, user, form.code.data)
            result = logins.record_failure(db.session, subject, user) if until is None and kind is None else None
        db.session.commit()
        if result is not None and result.lock_message_id is not None:
            dispatch([result.lock_message_id])
        until = until or (result.locked_until if result else None)
        if until is not None:
            session.pop(PENDING_KEY, None)
            return locked(until)
        if kind is not None:
            return _sign_in(user, subject, session.get(PENDING_KEY, {}).get("next"))
        flash(_("Code incorrect."), "danger")
    return render_template("auth/login_code.html", form=form)


def _pending_user() -> tuple[User | None, str]:
    pending = session.get(PENDING_KEY)
    if not pending or now_utc() - parse_instant(pending["at"]) > PENDING_LIFETIME:
        session.pop(PENDING_KEY, None)
        return None, ""
    user = db.session.get(User, pending["user"])
    return (user, pending["subject"]) if user is not None and user.active else (None, "")


def _sign_in(user: User, subject: str, target: str | None):
    with audit_scope(db.session, Actor.of_user(user), now_utc()):
        logins.clear_failures(db.session, subject)
        start_session(user)
    return redirect(safe_next(target) or home_for(user))


def locked(until: datetime):
    """429 with our page: how long to wait, the same words whether the account exists or not."""
    minutes = max(1, math.ceil((until - now_utc()).total_seconds() / 60))
    detail = _("Trop de tentatives de connexion pour ce compte : réessayez dans %(n)s min. "
               "Si ce compte existe, son titulaire a été prévenu par email.", n=minutes)
    return error_page(429, detail=detail, retry_after=minutes * 60)


@bp.route("/logout", methods=["POST"])
@allow(PUBLIC)
def logout():
    if current_user.is_authenticated:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc()):
            end_current_session("logout")
    session.clear()
    return redirect(url_for("auth.login"))
