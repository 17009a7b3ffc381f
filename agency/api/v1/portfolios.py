"""API: a creditor sends a portfolio file and follows its import."""
from __future__ import annotations

from flask import g, request, url_for

from agency.access import API, allow
from agency.api.v1 import bp
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.services.audit import Actor, audit_scope
from agency.services.intake import status_document
from agency.services.intake.report import portfolio_of
from agency.services.paging import bounded
from agency.web.uploads import UploadError, receive_upload
from workers.intake import start_import


@bp.route("/portfolios", methods=["POST"])
@allow(API)
def create_portfolio():
    """multipart: ``file`` (CSV/XLSX), optional ``sheet`` and ``mapping`` (JSON). 202."""
    creditor = g.api_creditor
    try:
        with audit_scope(db.session, Actor(label=f"api:{creditor.code}"), now_utc()):
            portfolio = receive_upload(db.session, creditor=creditor,
                                       upload=request.files.get("file"), source="api",
                                       sheet=request.form.get("sheet") or None,
                                       mapping_text=request.form.get("mapping") or None)
    except UploadError as exc:
        db.session.rollback()
        return {"error": str(exc)}, 400
    db.session.commit()
    start_import(portfolio.id)
    status_url = url_for("api_v1.show_portfolio", portfolio_id=portfolio.id)
    return {"id": portfolio.id, "status": portfolio.status, "status_url": status_url}, 202, {
        "Location": status_url}


@bp.route("/portfolios/<int:portfolio_id>")
@allow(API)
def show_portfolio(portfolio_id: int):
    """The import's state and counters, and a page (``page``, ``per_page`` up to 500) of its
    rejected rows' reasons (``errors``) and of its kept rows' warnings (``row_warnings``)."""
    portfolio = portfolio_of(db.session, portfolio_id, g.api_creditor.id)
    if portfolio is None:
        return {"error": "portfolio not found"}, 404
    return status_document(db.session, portfolio, page=request.args.get("page", 1, type=int),
                           per_page=bounded(request.args.get("per_page", 100, type=int)))
