"""The staff back-office: cases, a case's page, creditors."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from agency.access import MANAGERS, STAFF, allow
from agency.extensions import db
from agency.models import Creditor, User
from agency.models.case import PHASES
from agency.services.case_queries import CaseFilters, case_actions, search_cases, timeline
from agency.services.cases import find_case
from agency.services.ledger import case_balance, ledger_of

bp = Blueprint("backoffice", __name__)


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
    return render_template(
        "backoffice/case.html", case=found, balance=case_balance(db.session, found),
        entries=ledger_of(db.session, found), actions=case_actions(db.session, found),
        events=timeline(db.session, found))


@bp.route("/creditors")
@allow(MANAGERS)
def creditors():
    rows = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    return render_template("backoffice/creditors.html", creditors=rows)


def filters_from_request() -> CaseFilters:
    args = request.args
    return CaseFilters(q=args.get("q") or None, creditor_code=args.get("creditor") or None,
                       phase=args.get("phase") or None, segment=args.get("segment") or None,
                       agent_id=args.get("agent", type=int), status=args.get("status") or None)
