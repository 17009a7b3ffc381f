"""One's own account: the password, the second factor (enrolment, recovery codes) and the
sessions. The enrolment page is the one page a user who must enrol can reach."""
from __future__ import annotations

import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from agency.access import SIGNED_IN, allow, reachable_before_two_factor
from agency.auth import bp
from agency.auth.forms import CodeForm, PasswordChangeForm
from agency.auth.sessions import end_current_session, policy, start_session
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import User
from agency.security import verify_password
from agency.services.accounts import two_factor, users
from agency.services.accounts.sessions import live_sessions
from agency.services.audit import Actor, audit_scope


def _me() -> User:
    return db.session.get(User, current_user.id)


def _scope(user: User):
    return audit_scope(db.session, Actor.of_user(user), now_utc())


@bp.route("/account")
@allow(SIGNED_IN)
def account(password_form: PasswordChangeForm | None = None):
    user = _me()
    return render_template(
        "account/account.html", user=user, password_form=password_form or PasswordChangeForm(user.email),
        required=two_factor.is_required(user), codes_left=two_factor.unused_recovery_codes(db.session, user),
        sessions=live_sessions(db.session, user, now=now_utc(), policy=policy()),
        current_session=current_user.session_id)


@bp.route("/account/password", methods=["POST"])
@allow(SIGNED_IN)
def change_password():
    user = _me()
    form = PasswordChangeForm(user.email)
    if not form.validate_on_submit():
        return account(form), 400
    with _scope(user):
        try:
            users.change_own_password(db.session, user, current=form.current.data, new=form.new.data)
        except users.AccountError:
            db.session.rollback()
            form.current.errors = [_("Mot de passe actuel incorrect.")]
            return account(form), 400
        start_session(user)  # every session ended; this browser gets a new one
    flash(_("Mot de passe changé. Vos autres sessions sont fermées."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@allow(SIGNED_IN)
@reachable_before_two_factor
def two_factor_enrol():
    user = _me()
    if user.has_two_factor:
        return redirect(url_for("auth.account"))
    form = CodeForm()
    with _scope(user):
        secret = two_factor.pending_secret(db.session, user)
        if form.validate_on_submit():
            try:
                codes = two_factor.confirm_enrolment(db.session, user, form.code.data)
            except two_factor.TwoFactorError:
                flash(_("Code incorrect : vérifiez l'heure de votre téléphone et réessayez."), "danger")
            else:
                db.session.commit()
                return render_template("account/recovery_codes.html", codes=codes, first=True)
    db.session.commit()
    uri = two_factor.provisioning_uri(user, secret)
    return render_template("account/two_factor.html", form=form, secret=secret,
                           qr=segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
                           required=two_factor.is_required(user))


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@allow(SIGNED_IN)
def recovery_codes():
    user = _me()
    if not user.has_two_factor:
        abort(404)
    with _scope(user):
        codes = two_factor.replace_recovery_codes(db.session, user)
    db.session.commit()
    return render_template("account/recovery_codes.html", codes=codes, first=False)


@bp.route("/account/two-factor/off", methods=["POST"])
@allow(SIGNED_IN)
def two_factor_off():
    user = _me()
    if not user.has_two_factor:
        abort(404)
    if two_factor.is_required(user):
        flash(_("La double authentification est obligatoire pour votre compte."), "warning")
        return redirect(url_for("auth.account"))
    if not verify_password(user.password_hash, request.form.get("password", "")):
        flash(_("Mot de passe actuel incorrect."), "danger")
        return redirect(url_for("auth.account"))
    with _scope(user):
        two_factor.turn_off(db.session, user)
    db.session.commit()
    flash(_("Double authentification désactivée."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@allow(SIGNED_IN)
def sign_out_everywhere():
    user = _me()
    with _scope(user):
        users.sign_out_everywhere(db.session, user)
        end_current_session("signout")
    flash(_("Toutes vos sessions sont fermées."), "success")
    return redirect(url_for("auth.login"))
