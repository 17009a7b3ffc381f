"""Accounts, for administrators: who can sign in, with what, and ending a user's sessions."""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from agency.access import allow
from agency.auth.sessions import policy
from agency.backoffice import bp
from agency.web.registry import menu_item
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import User, UserSession
from agency.services.accounts import users
from agency.services.accounts.two_factor import is_required
from agency.services.audit import Actor, audit_scope

ADMINS = ("admin",)
menu_item(90, lambda: _l("Comptes"), "backoffice.accounts", ADMINS)


@bp.route("/accounts")
@allow(ADMINS)
def accounts():
    now, limits = now_utc(), policy()
    live = dict(db.session.execute(
        select(UserSession.user_id, func.count()).where(
            UserSession.revoked_at.is_(None), UserSession.created_at > now - limits.lifetime,
            UserSession.last_seen_at > now - limits.idle).group_by(UserSession.user_id)).all())
    rows = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("backoffice/accounts.html", rows=rows, live=live, required=is_required)


def _act(user_id: int, work: Callable[[User], int], done: str):
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash(_("Utilisez « Mon compte » pour votre propre compte."), "warning")
        return redirect(url_for("backoffice.accounts"))
    with audit_scope(db.session, Actor.of_user(db.session.get(User, current_user.id)), now_utc()):
        try:
            ended = work(user)
        except users.AccountError as exc:
            db.session.rollback()
            flash(_("Refusé : %(error)s", error=str(exc)), "danger")
            return redirect(url_for("backoffice.accounts"))
    db.session.commit()
    flash(done % {"email": user.email, "n": ended or 0}, "success")
    return redirect(url_for("backoffice.accounts"))


@bp.route("/accounts/<int:user_id>/sign-out", methods=["POST"])
@allow(ADMINS)
def account_sign_out(user_id: int):
    return _act(user_id, lambda u: users.sign_out_everywhere(db.session, u),
                _("%(email)s : %(n)s session(s) fermée(s)."))


@bp.route("/accounts/<int:user_id>/deactivate", methods=["POST"])
@allow(ADMINS)
def account_deactivate(user_id: int):
    return _act(user_id, lambda u: users.deactivate(db.session, u),
                _("%(email)s est désactivé ; %(n)s session(s) fermée(s)."))


@bp.route("/accounts/<int:user_id>/reactivate", methods=["POST"])
@allow(ADMINS)
def account_reactivate(user_id: int):
    return _act(user_id, lambda u: users.reactivate(db.session, u), _("%(email)s est réactivé."))


@bp.route("/accounts/<int:user_id>/reset-two-factor", methods=["POST"])
@allow(ADMINS)
def account_reset_two_factor(user_id: int):
    return _act(user_id, lambda u: users.reset_two_factor(db.session, u),
                _("%(email)s devra de nouveau activer la double authentification."))
