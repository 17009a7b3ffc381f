"""The approvers' queue: filter, then approve or reject in bulk with a reason."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from agency.access import allow
from agency.backoffice import bp
from agency.backoffice.registry import menu_item
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Creditor
from agency.services.approvals import ApprovalError, QueueFilters, approval_queue, decide
from agency.services.audit import Actor, audit_scope

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


def decide_from_form(back: str):
    """Shared by the back-office and the creditor portal: one decision on the ticked actions."""
    ids = [int(v) for v in request.form.getlist("action_id") if v.isdigit()]
    approve = request.form.get("decision") == "approve"
    reason = request.form.get("reason", "")
    try:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc(), reason or None):
            count = decide(db.session, current_user, ids, approve=approve, reason=reason)
        db.session.commit()
    except LookupError:
        db.session.rollback()
        abort(404)
    except ApprovalError:
        db.session.rollback()
        flash(_("Un refus doit être motivé."), "danger")
        return redirect(url_for(back))
    if count:
        flash(_("%(n)s action(s) validée(s).", n=count) if approve
              else _("%(n)s action(s) refusée(s).", n=count), "success")
    return redirect(url_for(back))
