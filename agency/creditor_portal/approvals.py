"""The creditor's own approvals (its contract's): only its cases' actions, never another's."""
from __future__ import annotations

from flask import request

from agency.access import CREDITOR, allow
from agency.creditor_portal import bp
from agency.services.approvals import QueueFilters
from agency.web.approvals import decide_from_form, render_queue


@bp.route("/approvals")
@allow(CREDITOR)
def approvals():
    filters = QueueFilters(kind=request.args.get("kind") or None,
                           step=request.args.get("step") or None)
    return render_queue(filters, creditors=[], decide_endpoint="creditor_portal.decide_approvals",
                        case_endpoint="creditor_portal.case")


@bp.route("/approvals/decide", methods=["POST"])
@allow(CREDITOR)
def decide_approvals():
    return decide_from_form("creditor_portal.approvals")
