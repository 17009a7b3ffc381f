"""Staff and creditor login, logout and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email

from agency.access import PUBLIC, allow
from agency.extensions import db
from agency.security import verify_password
from agency.services.directory import find_user

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False)])
    password = PasswordField("Mot de passe", validators=[DataRequired()])


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(db.session, form.email.data)
        if user and user.active and verify_password(user.password_hash, form.password.data):
            session.clear()
            login_user(user)
            return redirect(_safe_next() or home_for(user))
        flash(_("Email ou mot de passe incorrect."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(PUBLIC)
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
@allow(PUBLIC)
def set_language(code: str):
    if code in ("fr", "en"):
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(_safe_next() or url_for("auth.login"))


@bp.route("/healthz")
@allow(PUBLIC)
def health():
    return {"status": "ok"}


def home_for(user) -> str:
    if user.role == "creditor":
        return url_for("creditor_portal.cases")
    return url_for("backoffice.cases")


def _safe_next() -> str | None:
    """Only same-site relative targets, so the login cannot redirect elsewhere."""
    target = request.args.get("next") or request.form.get("next")
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
