"""The creditor's own approvals (its contract's): only its cases' actions, never another's."""
from __future__ import annotations

from agency.access import CREDITOR, allow
from agency.creditor_portal import bp
from agency.services.approvals import QueueFilters
from agency.web.approvals import DecisionForm, decide_from_form, render_queue
from agency.web.params import Text, form, query


@bp.route("/approvals")
@allow(CREDITOR)
@query(kind=Text(32), step=Text(64))
def approvals(args):
    filters = QueueFilters(kind=args.kind, step=args.step)
    return render_queue(filters, creditors=[], decide_endpoint="creditor_portal.decide_approvals",
                        case_endpoint="creditor_portal.case")


@bp.route("/approvals/decide", methods=["POST"])
@allow(CREDITOR)
@form(DecisionForm)
def decide_approvals(form: DecisionForm):
    return decide_from_form(form, "creditor_portal.approvals")
