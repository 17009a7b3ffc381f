"""Back-office: take a creditor's portfolio file on its behalf, map its columns, follow
the import, read the report and download the rejected rows."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import BooleanField
from wtforms.validators import ValidationError

from agency.access import STAFF, allow
from agency.backoffice import bp
from agency.web.registry import menu_item
from agency.domain.intake import IntakeError
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Creditor
from agency.services.audit import Actor, audit_scope
from agency.services.intake import preview, rejected_csv, save_mapping
from agency.services.intake.report import portfolio_of, recent_portfolios
from agency.web.downloads import rejected_rows_download
from agency.web.forms import BrowserForm, TextListField
from agency.web.intake_report import report_context
from agency.web.params import bad_request, form
from agency.web.uploads import UploadError, check_upload, intake_limits, receive_upload
from workers.intake import start_import

menu_item(25, lambda: _l("Imports"), "backoffice.portfolios", STAFF)


def _scope():
    return audit_scope(db.session, Actor.of_user(current_user), now_utc())


@bp.route("/portfolios")
@allow(STAFF)
def portfolios():
    creditors = db.session.scalars(select(Creditor).order_by(Creditor.code)).all()
    return render_template("intake/list.html", portfolios=recent_portfolios(db.session, None, 50),
                           creditors=creditors, upload_url=url_for("backoffice.upload_portfolio"),
                           show_url="backoffice.portfolio", staff=True)


@bp.route("/portfolios", methods=["POST"])
@allow(STAFF)
def upload_portfolio():
    creditor = db.session.scalar(select(Creditor).where(
        Creditor.code == (request.form.get("creditor") or "")))
    if creditor is None:
        flash(_("Choisissez le donneur d'ordre."), "danger")
        return redirect(url_for("backoffice.portfolios"))
    try:
        with _scope():
            portfolio = receive_upload(db.session, creditor=creditor, source="backoffice",
                                       upload=request.files.get("file"), status="uploaded",
                                       sheet=request.form.get("sheet") or None)
    except UploadError as exc:
        db.session.rollback()
        flash(_("Fichier refusé : %(reason)s", reason=str(exc)), "danger")
        return redirect(url_for("backoffice.portfolios"))
    db.session.commit()
    return redirect(url_for("backoffice.portfolio_mapping", portfolio_id=portfolio.id))


@bp.route("/portfolios/<int:portfolio_id>/mapping")
@allow(STAFF)
def portfolio_mapping(portfolio_id: int):
    portfolio = portfolio_of(db.session, portfolio_id, None) or abort(404)
    if portfolio.status != "uploaded":
        return redirect(url_for("backoffice.portfolio", portfolio_id=portfolio.id))
    try:
        shown = preview(portfolio, limits=intake_limits())
    except IntakeError as exc:
        return render_template("intake/mapping.html", portfolio=portfolio, error=exc.message)
    return render_template("intake/mapping.html", portfolio=portfolio, error=None, **shown)


class MappingForm(BrowserForm):
    """The file's columns (one hidden ``header`` per row) and the field chosen for each."""
    header = TextListField(_l("Colonne du fichier"))
    field = TextListField(_l("Donnée"), max_length=64)
    save = BooleanField(_l("Enregistrer cette correspondance"))

    def validate_field(self, field) -> None:
        if len(field.data or ()) != len(self.header.data or ()):
            raise ValidationError(_("Une donnée par colonne du fichier."))


@bp.route("/portfolios/<int:portfolio_id>/mapping", methods=["POST"])
@allow(STAFF)
@form(MappingForm)
def confirm_mapping(portfolio_id: int, form: MappingForm):
    """Keep the columns' fields as chosen, save them for the creditor, start the import."""
    portfolio = portfolio_of(db.session, portfolio_id, None) or abort(404)
    if portfolio.status != "uploaded":
        return redirect(url_for("backoffice.portfolio", portfolio_id=portfolio.id))
    if not form.validate():
        return bad_request(form.error_messages())
    mapping = {**(portfolio.mapping or {}), **dict(zip(form.header.data, form.field.data))}
    with _scope():
        try:
            if form.save.data:
                save_mapping(db.session, portfolio.creditor_id, mapping)
            check_upload(portfolio.stored_path, portfolio.filename, sheet=portfolio.sheet,
                         mapping=mapping, needs_columns=True)
        except IntakeError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("backoffice.portfolio_mapping", portfolio_id=portfolio_id))
        portfolio.mapping, portfolio.status = mapping, "queued"
    db.session.commit()
    start_import(portfolio.id)
    return redirect(url_for("backoffice.portfolio", portfolio_id=portfolio.id))


@bp.route("/portfolios/<int:portfolio_id>")
@allow(STAFF)
def portfolio(portfolio_id: int):
    found = portfolio_of(db.session, portfolio_id, None) or abort(404)
    return render_template("intake/report.html", **report_context(found, "backoffice.case"),
                           csv_url=url_for("backoffice.portfolio_rejected", portfolio_id=found.id),
                           back_url=url_for("backoffice.portfolios"))


@bp.route("/portfolios/<int:portfolio_id>/rejected.csv")
@allow(STAFF)
def portfolio_rejected(portfolio_id: int):
    found = portfolio_of(db.session, portfolio_id, None) or abort(404)
    return rejected_rows_download(rejected_csv(db.session, found), found)
