"""The approvers' queue: filter, then approve or reject in bulk with a reason."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from agency.access import allow
from agency.backoffice import bp
from agency.extensions import db
from agency.models import Creditor
from agency.services.approvals import QueueFilters
from agency.web.approvals import decide_from_form, render_queue
from agency.web.registry import menu_item

APPROVERS = ("admin", "direction", "team_lead")
menu_item(40, lambda: _l("Validations"), "backoffice.approvals", APPROVERS)


@bp.route("/approvals")
@allow(APPROVERS)
def approvals():
    args = request.args
    filters = QueueFilters(approver_role=args.get("role") or None,
                           creditor_id=args.get("creditor", type=int), kind=args.get("kind") or None,
                           step=args.get("step") or None)
    creditors = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    return render_queue(filters, creditors=creditors, decide_endpoint="backoffice.decide_approvals",
                        case_endpoint="backoffice.case")


@bp.route("/approvals/decide", methods=["POST"])
@allow(APPROVERS)
def decide_approvals():
    return decide_from_form("backoffice.approvals")
