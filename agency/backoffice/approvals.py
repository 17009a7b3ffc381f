"""The approvers' queue: filter, then approve or reject in bulk with a reason."""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from agency.access import allow
from agency.backoffice import bp
from agency.web.registry import menu_item
from agency.web.approvals import DecisionForm, decide_from_form
from agency.extensions import db
from agency.models import Creditor
from agency.services.approvals import QueueFilters, approval_queue
from agency.web.params import Id, Text, form, query

APPROVERS = ("admin", "direction", "team_lead")
menu_item(40, lambda: _l("Validations"), "backoffice.approvals", APPROVERS)


@bp.route("/approvals")
@allow(APPROVERS)
@query(role=Text(32), creditor=Id(), kind=Text(32), step=Text(64))
def approvals(args):
    filters = QueueFilters(approver_role=args.role, creditor_id=args.creditor, kind=args.kind,
                           step=args.step)
    actions, total = approval_queue(db.session, current_user, filters)
    creditors = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    return render_template("approvals/queue.html", actions=actions, total=total, filters=filters,
                           creditors=creditors, decide_endpoint="backoffice.decide_approvals")


@bp.route("/approvals/decide", methods=["POST"])
@allow(APPROVERS)
@form(DecisionForm)
def decide_approvals(form: DecisionForm):
    return decide_from_form(form, "backoffice.approvals")
