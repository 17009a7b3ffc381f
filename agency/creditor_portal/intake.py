"""Creditor portal: send a portfolio file, follow its import, fetch the rejected rows.
Everything here is confined to the logged-in user's creditor."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from agency.access import CREDITOR, allow
from agency.web.registry import menu_item
from agency.creditor_portal import bp
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Creditor
from agency.services.audit import Actor, audit_scope
from agency.services.directory import DirectoryError, set_default_debtor_kind
from agency.services.intake import rejected_csv
from agency.services.intake.report import portfolio_of, recent_portfolios
from agency.web.downloads import rejected_rows_download
from agency.web.intake_report import report_context
from agency.web.uploads import UploadError, receive_upload
from workers.intake import start_import

menu_item(20, lambda: _l("Mes imports"), "creditor_portal.portfolios", CREDITOR)


def _own(portfolio_id: int):
    return portfolio_of(db.session, portfolio_id, current_user.creditor_id) or abort(404)


@bp.route("/portfolios")
@allow(CREDITOR)
def portfolios():
    return render_template("intake/list.html",
                           portfolios=recent_portfolios(db.session, current_user.creditor_id),
                           creditors=None, upload_url=url_for("creditor_portal.upload_portfolio"),
                           show_url="creditor_portal.portfolio", staff=False,
                           own=db.session.get(Creditor, current_user.creditor_id))


@bp.route("/portfolios/debtor-kind", methods=["POST"])
@allow(CREDITOR)
def default_debtor_kind():
    """The kind of the debtors the creditor's files do not describe."""
    creditor = db.session.get(Creditor, current_user.creditor_id)
    try:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc()):
            set_default_debtor_kind(db.session, creditor, request.form.get("kind", ""))
    except DirectoryError:
        db.session.rollback()
        flash(_("Choisissez particulier ou entreprise."), "danger")
        return redirect(url_for("creditor_portal.portfolios"))
    db.session.commit()
    flash(_("Type de débiteur par défaut enregistré."), "success")
    return redirect(url_for("creditor_portal.portfolios"))


@bp.route("/portfolios", methods=["POST"])
@allow(CREDITOR)
def upload_portfolio():
    creditor = db.session.get(Creditor, current_user.creditor_id)
    try:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc()):
            portfolio = receive_upload(db.session, creditor=creditor, source="portal",
                                       upload=request.files.get("file"),
                                       sheet=request.form.get("sheet") or None)
    except UploadError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("creditor_portal.portfolios"))
    db.session.commit()
    start_import(portfolio.id)
    return redirect(url_for("creditor_portal.portfolio", portfolio_id=portfolio.id))


@bp.route("/portfolios/<int:portfolio_id>")
@allow(CREDITOR)
def portfolio(portfolio_id: int):
    found = _own(portfolio_id)
    return render_template("intake/report.html", **report_context(found, "creditor_portal.case"),
                           csv_url=url_for("creditor_portal.portfolio_rejected",
                                           portfolio_id=found.id),
                           back_url=url_for("creditor_portal.portfolios"))


@bp.route("/portfolios/<int:portfolio_id>/rejected.csv")
@allow(CREDITOR)
def portfolio_rejected(portfolio_id: int):
    found = _own(portfolio_id)
    return rejected_rows_download(rejected_csv(db.session, found), found)
