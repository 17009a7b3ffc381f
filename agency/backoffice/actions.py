"""The case page's actions: every open action with the button that ends it (done with its
outcome, or withdrawn with a reason), and the actions already finished."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from agency.access import MANAGERS, STAFF, allow
from agency.backoffice import bp
from agency.backoffice.cases import page_argument
from agency.domain.actions import SENDER_JOBS, staff_outcomes
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Action, Partner, User
from agency.services.actions import (
    ActionError, cancel_action, case_actions, complete_action, may_cancel, may_complete,
    step_titles,
)
from agency.services.audit import Actor, audit_scope
from agency.services.case_standing import STRAYS, standing_of
from agency.services.cases import find_case
from agency.web.registry import case_panel


@case_panel(50, "backoffice/panels/actions.html")
def _actions_panel(session, case) -> dict:
    unfinished, finished = case_actions(session, case, page_argument("actions_page"))
    user = session.get(User, current_user.id)
    today = now_utc().date()
    people = {a.assignee_id for a in unfinished if a.assignee_id}
    partners = {a.partner_id for a in unfinished if a.partner_id}
    return {"unfinished": unfinished, "finished": finished, "titles": step_titles(session, case),
            "outcomes": {a.id: staff_outcomes(a.kind) for a in unfinished},
            "may_complete": {a.id for a in unfinished
                             if may_complete(session, user, case, a, today)},
            "may_cancel": may_cancel(user), "sender_jobs": SENDER_JOBS,
            "standing": standing_of(session, case.id, today), "strays": STRAYS,
            "names": {u.id: u.name for u in _rows(session, User, people)},
            "partners": {p.id: p.name for p in _rows(session, Partner, partners)}}


def _rows(session, model, ids: set[int]) -> list:
    return [row for row in (session.get(model, i) for i in sorted(ids)) if row is not None]


@bp.route("/cases/<reference>/actions/<int:action_id>/done", methods=["POST"])
@allow(STAFF)
def complete_case_action(reference: str, action_id: int):
    form = request.form
    return _end(reference, action_id, lambda action: complete_action(
        db.session, action, outcome=form.get("outcome") or None,
        note=form.get("note", "").strip() or None), _("Action terminée."))


@bp.route("/cases/<reference>/actions/<int:action_id>/cancel", methods=["POST"])
@allow(MANAGERS)  # withdrawing what the playbook planned: see actions.may_cancel
def cancel_case_action(reference: str, action_id: int):
    return _end(reference, action_id, lambda action: cancel_action(
        db.session, action, reason=request.form.get("reason", "")), _("Action annulée."))


def _end(reference: str, action_id: int, end, message: str):
    case = find_case(db.session, reference)
    action = db.session.get(Action, action_id)
    if case is None or action is None or action.case_id != case.id:
        abort(404)
    back = url_for("backoffice.case", reference=case.reference)
    user = db.session.get(User, current_user.id)
    now = now_utc()
    if not may_complete(db.session, user, case, action, now.date()):
        abort(404)  # another agent's case: not shown, not found
    with audit_scope(db.session, Actor.of_user(user), now):
        try:
            end(action)
        except ActionError as exc:
            db.session.rollback()
            flash(_("Action non terminée : %(error)s", error=str(exc)), "danger")
            return redirect(back)
    db.session.commit()
    flash(message, "success")
    return redirect(back)
