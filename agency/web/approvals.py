"""The approvals queue the back-office and the creditor portal share: the queue, each action
by its case and its playbook step's title, and one decision (approve or reject with a
reason) on the ticked actions the user may decide."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.domain.playbook import ACTION_KINDS
from agency.services.approvals import (ApprovalError, QueueFilters, approval_queue, approver_roles_for,
                                       decide)
from agency.services.audit import Actor, audit_scope
from agency.services.display_names import titles_of_actions


def render_queue(filters: QueueFilters, *, creditors, decide_endpoint: str, case_endpoint: str):
    """The queue, each action by its case (a link to the case's page on this side) and its
    playbook step's title."""
    actions, total = approval_queue(db.session, current_user, filters)
    steps = titles_of_actions(db.session, actions)
    choices = {a.step_code: steps.get(a.id) for a in actions if a.step_code}
    return render_template("approvals/queue.html", actions=actions, total=total, filters=filters,
                           creditors=creditors, decide_endpoint=decide_endpoint,
                           case_endpoint=case_endpoint, steps=steps, kinds=ACTION_KINDS,
                           roles=approver_roles_for(current_user),
                           step_choices=sorted(choices.items(), key=lambda item: item[1] or item[0]))


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
