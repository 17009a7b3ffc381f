"""Cases: the searchable list and a case's page (the creditors are in ``creditors``)."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from agency.access import STAFF, allow
from agency.backoffice import bp
from agency.web.contract_labels import verdict_label
from agency.web.registry import case_panel, menu_item, panels_for
from agency.extensions import db
from agency.models import Creditor, User
from agency.models.case import PHASES
from agency.services.case_queries import CaseFilters, case_actions, search_cases, timeline
from agency.services.cases import find_case
from agency.services.creditors.contact import creditor_verdict
from agency.services.ledger import case_balance, ledger_of

menu_item(10, lambda: _l("Dossiers"), "backoffice.cases", STAFF)


@bp.route("/")
@allow(STAFF)
def home():
    return redirect(url_for("backoffice.cases"))


@bp.route("/cases")
@allow(STAFF)
def cases():
    filters = filters_from_request()
    page = search_cases(db.session, filters, page=request.args.get("page", 1, type=int))
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
    contact = creditor_verdict(db.session, found.creditor)
    return render_template(
        "backoffice/case.html", case=found, balance=case_balance(db.session, found),
        entries=ledger_of(db.session, found),
        panels=panels_for(db.session, found, current_user.role),
        contact=contact, contact_text=verdict_label(contact))


@case_panel(50, "backoffice/panels/actions.html")
def _actions_panel(session, case) -> dict:
    return {"actions": case_actions(session, case)}


@case_panel(100, "backoffice/panels/history.html")
def _history_panel(session, case) -> dict:
    events = timeline(session, case)
    agent_ids = {value for e in events for value in e.changes.get("agent_id", ()) if value}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(agent_ids)))
                 .all()) if agent_ids else {}
    return {"events": events, "agent_names": names}


def filters_from_request() -> CaseFilters:
    args = request.args
    return CaseFilters(q=args.get("q") or None, creditor_code=args.get("creditor") or None,
                       phase=args.get("phase") or None, segment=args.get("segment") or None,
                       agent_id=args.get("agent", type=int), status=args.get("status") or None)
