"""The approvers' queue: filter, then approve or reject in bulk with a reason."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from agency.access import allow
from agency.backoffice import bp
from agency.extensions import db
from agency.models import Creditor
from agency.services.approvals import QueueFilters
from agency.web.approvals import DecisionForm, decide_from_form, render_queue
from agency.web.params import Id, Text, form, query
from agency.web.registry import menu_item

APPROVERS = ("admin", "direction", "team_lead")
menu_item(40, lambda: _l("Validations"), "backoffice.approvals", APPROVERS)


@bp.route("/approvals")
@allow(APPROVERS)
@query(role=Text(32), creditor=Id(), kind=Text(32), step=Text(64))
def approvals(args):
    filters = QueueFilters(approver_role=args.role, creditor_id=args.creditor, kind=args.kind,
                           step=args.step)
    creditors = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    return render_queue(filters, creditors=creditors, decide_endpoint="backoffice.decide_approvals",
                        case_endpoint="backoffice.case")


@bp.route("/approvals/decide", methods=["POST"])
@allow(APPROVERS)
@form(DecisionForm)
def decide_approvals(form: DecisionForm):
    return decide_from_form(form, "backoffice.approvals")
