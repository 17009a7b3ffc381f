"""The creditor's own approvals (its contract's): only its cases' actions, never another's."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from agency.access import CREDITOR, allow
from agency.creditor_portal import bp
from agency.extensions import db
from agency.services.approvals import QueueFilters, approval_queue
from agency.web.approvals import decide_from_form


@bp.route("/approvals")
@allow(CREDITOR)
def approvals():
    filters = QueueFilters(kind=request.args.get("kind") or None,
                           step=request.args.get("step") or None)
    actions, total = approval_queue(db.session, current_user, filters)
    return render_template("approvals/queue.html", actions=actions, total=total, filters=filters,
                           creditors=[], decide_endpoint="creditor_portal.decide_approvals")


@bp.route("/approvals/decide", methods=["POST"])
@allow(CREDITOR)
def decide_approvals():
    return decide_from_form("creditor_portal.approvals")
