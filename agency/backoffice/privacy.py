"""Personal data: the access log (admins), and a debtor's export for an access request
(admins and the direction), offered on the debtor's case page."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from flask import Response, abort, render_template, request
from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from agency.backoffice import bp
from agency.access import allow
from agency.domain.timezones import UTC, now_utc
from agency.extensions import db
from agency.models import Debtor, User
from agency.services.audit import Actor, audit_scope
from agency.services.privacy.access import AccessFilters, access_log
from agency.services.privacy.export import export_debtor
from agency.web.pdf import pdf_download
from agency.web.registry import case_panel, menu_item

EXPORTERS = ("admin", "direction")
menu_item(95, lambda: _l("Accès aux données"), "backoffice.access_log_page", ("admin",))


@case_panel(110, "privacy/case_panel.html", roles=EXPORTERS)
def _privacy_panel(session, case) -> dict:
    return {"debtor_id": case.debtor_id}


@bp.route("/privacy/access-log")
@allow("admin")
def access_log_page():
    args = request.args
    since, until = _day(args.get("since")), _day(args.get("until"))
    filters = AccessFilters(
        debtor_id=args.get("debtor", type=int), actor=(args.get("actor") or "").strip() or None,
        since=datetime.combine(since, time(), UTC) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), UTC) if until else None)
    page = access_log(db.session, filters, page=args.get("page", 1, type=int))
    return render_template("privacy/access_log.html", page=page, args=args)


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        abort(400)


@bp.route("/debtors/<int:debtor_id>/export.json")
@allow(*EXPORTERS)
def export_json(debtor_id: int):
    document = _export(debtor_id, "json")
    return Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="debiteur-{debtor_id}.json"'})


@bp.route("/debtors/<int:debtor_id>/export.pdf")
@allow(*EXPORTERS)
def export_pdf(debtor_id: int):
    document = _export(debtor_id, "pdf")
    debtor = db.session.get(Debtor, debtor_id)
    with force_locale(debtor.language if debtor.language in ("fr", "en") else "fr"):
        html = render_template("privacy/export.html", record=document, day=_iso_day)
    return pdf_download(html, f"debiteur-{debtor_id}.pdf")


def _iso_day(value: str | None) -> str:
    return format_date(date.fromisoformat(value[:10]), "short") if value else "—"


def _export(debtor_id: int, fmt: str) -> dict:
    debtor = db.session.get(Debtor, debtor_id) or abort(404)
    user = db.session.get(User, current_user.id)
    with audit_scope(db.session, Actor.of_user(user), now_utc()):
        document = export_debtor(db.session, debtor, fmt=fmt, route=request.endpoint)
    db.session.commit()
    return document
