"""Cases: the searchable list, a case's page, the creditors' list."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from agency.access import MANAGERS, STAFF, allow
from agency.backoffice import bp
from agency.web.registry import case_panel, menu_item, panels_for
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Creditor, User
from agency.models.case import PHASES
from agency.services.case_queries import (CaseFilters, case_balance_shown, claims_page, ledger_page,
                                          search_cases, timeline)
from agency.services.audit import Actor, audit_scope
from agency.services.cases import find_case
from agency.services.directory import DirectoryError, set_default_debtor_kind
from agency.services.display_names import history_names
from agency.web.history import history_lines
from agency.web.privacy import record_reads

menu_item(10, lambda: _l("Dossiers"), "backoffice.cases", STAFF)
menu_item(90, lambda: _l("Donneurs d'ordre"), "backoffice.creditors", MANAGERS)


@bp.route("/")
@allow(STAFF)
def home():
    return redirect(url_for("backoffice.cases"))


@bp.route("/cases")
@allow(STAFF)
def cases():
    filters = filters_from_request()
    page = search_cases(db.session, filters, page=request.args.get("page", 1, type=int))
    record_reads("search", cases=page.cases)
    creditors = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    agents = db.session.scalars(
        select(User).where(User.role.in_(("agent", "team_lead"))).order_by(User.name)).all()
    return render_template("backoffice/cases.html", page=page, filters=filters,
                           creditors=creditors, agents=agents, phases=PHASES)


@bp.route("/cases/<reference>")
@allow(STAFF)
def case(reference: str):
    found = find_case(db.session, reference)
    if found is None:
        abort(404)
    record_reads("case_page", cases=[found])
    args = request.args
    return render_template(
        "backoffice/case.html", case=found, balance=case_balance_shown(found),
        claims=claims_page(db.session, found, args.get("claims_page", 1, type=int)),
        entries=ledger_page(db.session, found, args.get("entries_page", 1, type=int)),
        panels=panels_for(db.session, found, current_user.role))


@case_panel(100, "backoffice/panels/history.html")
def _history_panel(session, case) -> dict:
    events = timeline(session, case, request.args.get("events_page", 1, type=int))
    return {"events": events,
            "lines": history_lines(events.items, case, history_names(session, case, events.items))}


@bp.route("/creditors")
@allow(MANAGERS)
def creditors():
    rows = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    return render_template("backoffice/creditors.html", creditors=rows)


@bp.route("/creditors/<int:creditor_id>/debtor-kind", methods=["POST"])
@allow(MANAGERS)
def creditor_debtor_kind(creditor_id: int):
    """The kind of the debtors a creditor's files do not describe."""
    creditor = db.session.get(Creditor, creditor_id) or abort(404)
    try:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc()):
            set_default_debtor_kind(db.session, creditor, request.form.get("kind", ""))
    except DirectoryError:
        db.session.rollback()
        flash(_("Choisissez particulier ou entreprise."), "danger")
        return redirect(url_for("backoffice.creditors"))
    db.session.commit()
    flash(_("Type de débiteur par défaut enregistré."), "success")
    return redirect(url_for("backoffice.creditors"))


def filters_from_request() -> CaseFilters:
    args = request.args
    return CaseFilters(q=args.get("q") or None, creditor_code=args.get("creditor") or None,
                       phase=args.get("phase") or None, segment=args.get("segment") or None,
                       agent_id=args.get("agent", type=int), status=args.get("status") or None)
