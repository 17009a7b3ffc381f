"""The creditor's own approvals (its contract's): only its cases' actions, never another's."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from agency.access import CREDITOR, allow
from agency.creditor_portal import bp
from agency.extensions import db
from agency.services.approvals import QueueFilters, approval_queue
from agency.web.approvals import DecisionForm, decide_from_form
from agency.web.params import Text, form, query


@bp.route("/approvals")
@allow(CREDITOR)
@query(kind=Text(32), step=Text(64))
def approvals(args):
    filters = QueueFilters(kind=args.kind, step=args.step)
    actions, total = approval_queue(db.session, current_user, filters)
    return render_template("approvals/queue.html", actions=actions, total=total, filters=filters,
                           creditors=[], decide_endpoint="creditor_portal.decide_approvals")


@bp.route("/approvals/decide", methods=["POST"])
@allow(CREDITOR)
@form(DecisionForm)
def decide_approvals(form: DecisionForm):
    return decide_from_form(form, "creditor_portal.approvals")
