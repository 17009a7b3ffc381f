"""'Mes appels': the agent's call queue, logging a call, and the case page's call panel."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from agency.access import allow
from agency.backoffice import bp
from agency.web.registry import case_panel, menu_item
from agency.domain.money import MoneyError, parse_amount
from agency.domain.timezones import UTC, now_utc
from agency.extensions import db
from agency.models import Action, Case, User
from agency.models.calls import CALL_OUTCOMES
from agency.services.audit import Actor, audit_scope
from agency.services.calls.log import CallError, CallInput, log_call, may_call, recent_calls
from agency.services.cases import find_case
from agency.services.calls.promises import PromiseError
from agency.services.calls.worklist import queue_status, worklist_page
from agency.web.privacy import record_reads

CALLERS = ("agent", "team_lead", "admin", "direction")
PAGE_SIZE = 25  # the next calls; the count says how many more wait
QUICK_OUTCOMES = ("no_answer", "busy", "voicemail", "reached")

menu_item(15, lambda: _l("Mes appels"), "backoffice.my_calls", ("agent", "team_lead"))


@bp.route("/calls")
@allow(CALLERS)
def my_calls():
    agent = _queue_owner()
    page = worklist_page(db.session, agent, now_utc(), PAGE_SIZE)
    record_reads("search", reads=[(entry.debtor_id, entry.case_id) for entry in page.entries])
    return render_template("calls/queue.html", agent=agent, entries=page.entries, complete=page.complete,
                           quick=QUICK_OUTCOMES, outcomes=CALL_OUTCOMES)


def _queue_owner() -> User:
    """Agents see their own queue; leads may look at any agent's (?agent=id)."""
    requested = request.args.get("agent", type=int)
    if requested is None or requested == current_user.id:
        return db.session.get(User, current_user.id)
    if current_user.role == "agent":
        abort(404)
    agent = db.session.get(User, requested)
    if agent is None or agent.role not in ("agent", "team_lead"):
        abort(404)
    return agent


@bp.route("/calls/<int:action_id>", methods=["POST"])
@allow(CALLERS)
def log_call_on_action(action_id: int):
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    case = db.session.get(Case, action.case_id)
    return _log(case, action, redirect_to=url_for("backoffice.my_calls"))


@bp.route("/cases/<reference>/calls", methods=["POST"])
@allow(CALLERS)
def log_call_on_case(reference: str):
    case = find_case(db.session, reference)
    if case is None:
        abort(404)
    action_id = request.form.get("action_id", type=int)
    action = db.session.get(Action, action_id) if action_id else None
    if action is not None and action.case_id != case.id:
        abort(404)
    return _log(case, action, redirect_to=url_for("backoffice.case", reference=case.reference))


def _log(case, action, redirect_to: str):
    user = db.session.get(User, current_user.id)
    with audit_scope(db.session, Actor.of_user(user), now_utc()):
        if not may_call(db.session, user, case, action):
            abort(404)  # another agent's case or action: not shown, not found
        try:
            log_call(db.session, case=case, agent=user, action=action, call=_call_input(case))
        except (CallError, PromiseError, MoneyError, ValueError) as exc:
            db.session.rollback()
            flash(_("Appel non enregistré : %(error)s", error=str(exc)), "danger")
            return redirect(redirect_to)
    db.session.commit()
    flash(_("Appel enregistré pour %(ref)s.", ref=case.reference), "success")
    return redirect(redirect_to)


def _call_input(case) -> CallInput:
    form = request.form
    outcome = form.get("outcome", "")
    if outcome == "more":  # the small form's submit: the outcome is in its select
        outcome = form.get("outcome_more", "")
    amount = form.get("promise_amount", "").strip()
    callback = form.get("callback_at", "").strip()
    promise_date = form.get("promise_date", "").strip()
    return CallInput(
        outcome=outcome, note=form.get("note", "").strip() or None,
        promise_date=datetime.strptime(promise_date, "%Y-%m-%d").date() if promise_date else None,
        promise_amount=parse_amount(amount, case.currency, str(current_user.locale or "fr")) if amount else None,
        callback_at=_local_to_utc(callback, case.debtor.timezone) if callback else None,
        phone_id=form.get("phone_id", type=int))


def _local_to_utc(text: str, zone: str) -> datetime:
    """A datetime-local field, read in the debtor's zone (the agent agrees times in it)."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


@case_panel(40, "calls/panel.html")
def _calls_panel(session, case) -> dict:
    status = queue_status(session, case, now_utc())
    agent = session.get(User, status.agent_id) if status.agent_id else None
    return {"status": status, "agent": agent, "calls": recent_calls(session, case),
            "quick": QUICK_OUTCOMES, "outcomes": CALL_OUTCOMES,
            "phones": [p for p in case.debtor.phones if p.status == "valid"]}
