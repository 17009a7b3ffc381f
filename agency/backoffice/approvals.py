"""The approvers' queue: filter, then approve or reject in bulk with a reason."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from agency.access import allow
from agency.backoffice import bp
from agency.web.registry import menu_item
from agency.web.approvals import decide_from_form
from agency.extensions import db
from agency.models import Creditor
from agency.services.approvals import QueueFilters, approval_queue

APPROVERS = ("admin", "direction", "team_lead")
menu_item(40, lambda: _l("Validations"), "backoffice.approvals", APPROVERS)


@bp.route("/approvals")
@allow(APPROVERS)
def approvals():
    args = request.args
    filters = QueueFilters(approver_role=args.get("role") or None,
                           creditor_id=args.get("creditor", type=int), kind=args.get("kind") or None,
                           step=args.get("step") or None)
    actions, total = approval_queue(db.session, current_user, filters)
    creditors = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    return render_template("approvals/queue.html", actions=actions, total=total, filters=filters,
                           creditors=creditors, decide_endpoint="backoffice.decide_approvals")


@bp.route("/approvals/decide", methods=["POST"])
@allow(APPROVERS)
def decide_approvals():
    return decide_from_form("backoffice.approvals")
