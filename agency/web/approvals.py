"""The approvals queue the back-office and the creditor portal share: the queue, each action
by its case and its playbook step's title, and one decision (approve or reject with a
reason) on the ticked actions the user may decide."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.validators import ValidationError

from agency.domain.playbook import ACTION_KINDS
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.services.approvals import (ApprovalError, QueueFilters, approval_queue, approver_roles_for,
                                       decide)
from agency.services.audit import Actor, audit_scope
from agency.services.display_names import titles_of_actions
from agency.web.forms import BrowserForm, IdListField, choice_field, text_field
from agency.web.params import bad_request


class DecisionForm(BrowserForm):
    action_id = IdListField(_l("Actions"))
    decision = choice_field(_l("Décision"), ("approve", "reject"))
    reason = text_field(_l("Motif"), 1000)

    def validate_reason(self, field) -> None:
        if self.decision.data == "reject" and not field.data:
            raise ValidationError(_("Un refus doit être motivé."))


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


def decide_from_form(form: DecisionForm, back: str):
    """One decision on the ticked actions; bad input (no decision, a refusal without its
    reason) is a 400 that says so."""
    if not form.validate() or form.errors:
        return bad_request(form.error_messages())
    approve, reason = form.decision.data == "approve", form.reason.data or ""
    try:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc(), reason or None):
            count = decide(db.session, current_user, form.action_id.data, approve=approve, reason=reason)
        db.session.commit()
    except LookupError:
        db.session.rollback()
        abort(404)
    except ApprovalError:
        db.session.rollback()
        return bad_request([_("Un refus doit être motivé.")])
    if count:
        flash(_("%(n)s action(s) validée(s).", n=count) if approve
              else _("%(n)s action(s) refusée(s).", n=count), "success")
    return redirect(url_for(back))
