"""'Mes appels': the agent's call queue, logging a call, and the case page's call panel."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateTimeLocalField, SelectField, StringField
from wtforms.validators import Optional

from agency.access import allow
from agency.backoffice import bp
from agency.backoffice.cases import render_case
from agency.domain.money import MoneyError, parse_amount
from agency.domain.timezones import UTC, now_utc
from agency.extensions import db
from agency.models import Action, Case, User
from agency.models.calls import CALL_OUTCOMES
from agency.services.audit import Actor, audit_scope
from agency.services.calls.log import CallError, CallInput, log_call, may_call, recent_calls
from agency.services.calls.promises import PromiseError
from agency.services.calls.worklist import queue_status, worklist_page
from agency.services.cases import find_case
from agency.web.forms import (BrowserForm, choice_field, date_field, id_field, id_of, in_years,
                              optional_id, options, text_field)
from agency.web.params import Id, form, query
from agency.web.registry import case_panel, menu_item
from agency.web.privacy import record_reads

CALLERS = ("agent", "team_lead", "admin", "direction")
PAGE_SIZE = 25  # the next calls; the count says how many more wait
QUICK_OUTCOMES = ("no_answer", "busy", "voicemail", "reached")

menu_item(15, lambda: _l("Mes appels"), "backoffice.my_calls", ("agent", "team_lead"))


@bp.route("/calls")
@allow(CALLERS)
@query(agent=Id())
def my_calls(args):
    agent = _queue_owner(args.agent)
    page = worklist_page(db.session, agent, now_utc(), PAGE_SIZE)
    record_reads("search", reads=[(entry.debtor_id, entry.case_id) for entry in page.entries])
    return render_template("calls/queue.html", agent=agent, entries=page.entries, complete=page.complete,
                           quick=QUICK_OUTCOMES, outcomes=CALL_OUTCOMES)


def _queue_owner(requested: int | None) -> User:
    """Agents see their own queue; leads may look at any agent's (?agent=id)."""
    if requested is None or requested == current_user.id:
        return db.session.get(User, current_user.id)
    if current_user.role == "agent":
        abort(404)
    agent = db.session.get(User, requested)
    if agent is None or agent.role not in ("agent", "team_lead"):
        abort(404)
    return agent


class CallForm(BrowserForm):
    """A call's outcome and what follows from it. Nothing is chosen beforehand: a quick outcome
    button, or the list's "Choisir…" changed to an outcome; the promise and the call-back are
    read by the case's rules (its currency, its debtor's zone) and must lie ahead."""

    quick = StringField()  # the one-click outcome buttons
    outcome = choice_field(_l("Issue de l'appel"), CALL_OUTCOMES, required=False)
    phone_id = SelectField(_l("Numéro appelé"), coerce=optional_id, validate_choice=True,
                           choices=options((), ""), validators=[Optional()])
    promise_date = date_field(_l("Date promise"))
    promise_amount = text_field(_l("Montant promis"), 40)
    callback_at = DateTimeLocalField(_l("Rappeler le (date et heure du débiteur)"),
                                     format="%Y-%m-%dT%H:%M", validators=[Optional(), in_years],
                                     invalid_value_message=_l("Date et heure invalides."))
    note = text_field(_l("Note"), 2000)
    action_id = id_field(None, required=False, hidden=True)

    def for_case(self, case: Case, now: datetime, locale: str) -> CallForm:
        """Bind the form to the case it logs a call on (its phones, currency and zone)."""
        self.case, self.now, self.locale = case, now, locale
        self.phone_id.choices = options(((p.id, p.e164) for p in case.debtor.phones
                                         if p.status == "valid"), _("Premier numéro valide"))
        return self

    def chosen_outcome(self) -> str:
        return self.quick.data or self.outcome.data or ""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        outcome = self.chosen_outcome()
        if self.quick.data and self.quick.data not in QUICK_OUTCOMES:
            self.outcome.errors.append(_("Issue inconnue."))
        elif not outcome:
            self.outcome.errors.append(_("Choisissez l'issue de l'appel."))
        if outcome == "promise":
            self._check_promise()
        if outcome == "callback":
            self._check_callback()
        return valid and not any(field.errors for field in self)

    def _check_promise(self) -> None:
        if self.promise_date.data is None and not self.promise_date.errors:
            self.promise_date.errors.append(_("Une promesse a une date."))
        elif self.promise_date.data and self.promise_date.data < self.now.date():
            self.promise_date.errors.append(_("La date promise est passée."))
        if not self.promise_amount.data:
            self.promise_amount.errors.append(_("Une promesse a un montant."))
            return
        try:
            self.amount = parse_amount(self.promise_amount.data, self.case.currency, self.locale)
        except MoneyError:
            self.promise_amount.errors.append(
                _("Montant illisible (en %(currency)s).", currency=self.case.currency))
            return
        if self.amount.minor <= 0:
            self.promise_amount.errors.append(_("Le montant promis doit être positif."))

    def _check_callback(self) -> None:
        if self.callback_at.data is None:
            if not self.callback_at.errors:
                self.callback_at.errors.append(_("Un rappel a une date et une heure."))
            return
        self.callback_utc = (self.callback_at.data.replace(tzinfo=ZoneInfo(self.case.debtor.timezone))
                             .astimezone(UTC))
        if self.callback_utc <= self.now:
            self.callback_at.errors.append(_("Le rappel doit être dans le futur."))

    def call_input(self) -> CallInput:
        outcome = self.chosen_outcome()
        return CallInput(
            outcome=outcome, note=self.note.data or None,
            promise_date=self.promise_date.data if outcome == "promise" else None,
            promise_amount=self.amount if outcome == "promise" else None,
            callback_at=self.callback_utc if outcome == "callback" else None,
            phone_id=self.phone_id.data)


@bp.route("/calls/<int:action_id>", methods=["POST"])
@allow(CALLERS)
@form(CallForm)
def log_call_on_action(action_id: int, form: CallForm):
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    case = db.session.get(Case, action.case_id)
    return _log(case, action, form, redirect_to=url_for("backoffice.my_calls"))


@bp.route("/cases/<reference>/calls", methods=["POST"])
@allow(CALLERS)
@form(CallForm)
def log_call_on_case(reference: str, form: CallForm):
    case = find_case(db.session, reference)
    if case is None:
        abort(404)
    action_id = id_of(form.action_id)
    action = db.session.get(Action, action_id) if action_id else None
    if action is not None and action.case_id != case.id:
        abort(404)
    return _log(case, action, form, redirect_to=url_for("backoffice.case", reference=case.reference))


def _log(case, action, form: CallForm, redirect_to: str):
    """Check the form, then log the call; refused, the case page shows the form again (400)."""
    user = db.session.get(User, current_user.id)
    now = now_utc()
    with audit_scope(db.session, Actor.of_user(user), now):
        if not may_call(db.session, user, case, action):
            abort(404)  # another agent's case or action: not shown, not found
        if action is not None:
            form.action_id.data = action.id
        if not form.for_case(case, now, str(user.locale or "fr")).validate():
            return render_case(case, 400, call=form)
        try:
            log_call(db.session, case=case, agent=user, action=action, call=form.call_input())
        except (CallError, PromiseError) as exc:
            db.session.rollback()
            form.outcome.errors.append(_("Appel non enregistré : %(error)s", error=str(exc)))
            return render_case(case, 400, call=form)
    db.session.commit()
    flash(_("Appel enregistré pour %(ref)s.", ref=case.reference), "success")
    return redirect(redirect_to)


@case_panel(40, "calls/panel.html")
def _calls_panel(session, case) -> dict:
    status = queue_status(session, case, now_utc())
    agent = session.get(User, status.agent_id) if status.agent_id else None
    blank = CallForm(formdata=None, action_id=status.action.id if status.action else None)
    return {"status": status, "agent": agent, "calls": recent_calls(session, case),
            "quick": QUICK_OUTCOMES, "outcomes": CALL_OUTCOMES, "form": blank,
            "phones": [p for p in case.debtor.phones if p.status == "valid"]}
