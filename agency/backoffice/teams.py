"""Teams, pairs and partners: assignment rules, absences and cover, bulk reassignment,
and tasks sent to external partners from the case page."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from agency.access import MANAGERS, STAFF, allow
from agency.backoffice import bp
from agency.backoffice.cases import render_case
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Action, AssignmentRule, Creditor, Partner, Team, User
from agency.models.calls import ASSIGNMENT_STRATEGIES
from agency.services.audit import Actor, audit_scope
from agency.services.calls.assignment import AssignmentError, bulk_reassign, set_absence, set_rule
from agency.services.cases import find_case
from agency.services.links import signer_from_config
from agency.services.partners import (
    PARTNER_KINDS, PartnerError, entrustable_actions, send_task, tasks_of_case,
)
from agency.web.forms import BrowserForm, choice_field, date_field, id_field, id_of, text_field
from agency.web.params import form
from agency.web.registry import case_panel, menu_item
from workers.messages import dispatch

menu_item(80, lambda: _l("Équipes"), "backoffice.teams", MANAGERS)


class RuleForm(BrowserForm):
    strategy = choice_field(_l("Règle"), ASSIGNMENT_STRATEGIES)
    creditor_id = id_field(_l("Donneur d'ordre"), required=False)
    agent_id = id_field(_l("Gestionnaire"), required=False)


class AbsenceForm(BrowserForm):
    until = date_field(_l("Absent jusqu'au"))  # empty: back at work


class BulkReassignForm(BrowserForm):
    from_agent = id_field(_l("De"))
    to_agent = id_field(_l("Vers"))
    creditor_id = id_field(_l("Donneur d'ordre"), required=False)
    reason = text_field(_l("Motif"), 500, required=True)


class PartnerTaskForm(BrowserForm):
    partner_id = id_field(_l("Partenaire"))
    action_id = id_field(_l("Action confiée"), required=False)
    due_date = date_field(_l("À réaliser avant le"))
    instructions = text_field(_l("Instructions"), 4000, required=True)


@bp.route("/teams")
@allow(MANAGERS)
def teams():
    return render_teams()


def render_teams(status: int = 200, errors=(), bulk: BulkReassignForm | None = None):
    """The teams page; ``errors`` of a form posted from it, ``bulk`` the reassignment refused."""
    rows = db.session.scalars(select(Team).order_by(Team.name)).all()
    members = db.session.scalars(select(User).where(User.team_id.is_not(None)).order_by(User.name)).all()
    rules = db.session.scalars(select(AssignmentRule)).all()
    creditors = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    partners = db.session.scalars(select(Partner).order_by(Partner.kind, Partner.name)).all()
    return render_template("teams/teams.html", teams=rows, members=members, rules=rules,
                           creditors=creditors, partners=partners, today=now_utc().date(),
                           errors=errors, bulk=bulk or BulkReassignForm(formdata=None)), status


def _manageable_team(team_id: int | None) -> None:
    """A team lead manages its own team only; admin and direction every team."""
    if current_user.role == "team_lead" and team_id != current_user.team_id:
        abort(404)


def _act(work, message: str, bulk: BulkReassignForm | None = None):
    """Run a change under the user's audit scope; a refusal is the teams page again, 400."""
    user = db.session.get(User, current_user.id)
    with audit_scope(db.session, Actor.of_user(user), now_utc()):
        try:
            work()
        except AssignmentError as exc:
            db.session.rollback()
            return render_teams(400, [_("Refusé : %(error)s", error=str(exc))], bulk)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("backoffice.teams"))


def _known(field, model):
    """The row a form's id names, or None with the field's error (an unknown id is bad input)."""
    row = db.session.get(model, id_of(field)) if id_of(field) else None
    if row is None and field.data is not None and not field.errors:
        field.errors.append(_("Inconnu."))
    return row


@bp.route("/teams/<int:team_id>/rule", methods=["POST"])
@allow(MANAGERS)
@form(RuleForm)
def team_rule(team_id: int, form: RuleForm):
    team = db.session.get(Team, team_id) or abort(404)
    _manageable_team(team.id)
    valid = form.validate()
    agent, creditor = _known(form.agent_id, User), _known(form.creditor_id, Creditor)
    if form.strategy.data == "fixed" and (agent is None or agent.team_id != team.id):
        form.agent_id.errors.append(_("Une règle « gestionnaire fixe » nomme un gestionnaire de l'équipe."))
    if not valid or form.errors:
        return render_teams(400, form.error_messages())
    return _act(lambda: set_rule(db.session, team=team, strategy=form.strategy.data,
                                 creditor_id=creditor.id if creditor else None, agent=agent),
                _("Règle d'affectation enregistrée."))


@bp.route("/agents/<int:user_id>/absence", methods=["POST"])
@allow(MANAGERS)
@form(AbsenceForm)
def agent_absence(user_id: int, form: AbsenceForm):
    agent = db.session.get(User, user_id)
    if agent is None or agent.role not in ("agent", "team_lead"):
        abort(404)
    _manageable_team(agent.team_id)
    valid = form.validate()
    if form.until.data and form.until.data < now_utc().date():
        form.until.errors.append(_("Une absence se termine aujourd'hui ou plus tard."))
    if not valid or form.errors:
        return render_teams(400, form.error_messages())
    return _act(lambda: set_absence(db.session, agent, form.until.data), _("Absence enregistrée."))


@bp.route("/teams/reassign", methods=["POST"])
@allow(MANAGERS)
@form(BulkReassignForm)
def reassign(form: BulkReassignForm):
    """Move an agent's open cases (all, or one creditor's) to another agent."""
    valid = form.validate()
    source, target = _known(form.from_agent, User), _known(form.to_agent, User)
    creditor = _known(form.creditor_id, Creditor)
    if source is not None and source.id == id_of(form.to_agent):
        form.to_agent.errors.append(_("Choisissez un autre gestionnaire."))
    if not valid or form.errors:
        return render_teams(400, form.error_messages(), form)
    _manageable_team(source.team_id)
    _manageable_team(target.team_id)
    moved = []
    result = _act(lambda: moved.append(bulk_reassign(
        db.session, from_agent=source, to_agent=target, creditor_id=creditor.id if creditor else None,
        reason=form.reason.data)), _("Dossiers réaffectés."), form)
    if moved:
        flash(_("%(n)s dossier(s) réaffecté(s).", n=moved[0]), "info")
    return result


@case_panel(60, "teams/partner_panel.html")
def _partner_panel(session, case) -> dict:
    partners = session.scalars(select(Partner).where(Partner.active.is_(True)).order_by(Partner.kind, Partner.name))
    return {"tasks": tasks_of_case(session, case), "partners": list(partners), "kinds": PARTNER_KINDS,
            "actions": entrustable_actions(session, case), "form": PartnerTaskForm(formdata=None)}


@bp.route("/cases/<reference>/partner-tasks", methods=["POST"])
@allow(STAFF)
@form(PartnerTaskForm)
def send_partner_task(reference: str, form: PartnerTaskForm):
    case = find_case(db.session, reference) or abort(404)
    valid = form.validate()
    partner = _known(form.partner_id, Partner)
    if not valid or form.errors:
        return render_case(case, 400, partner=form)
    action = _known(form.action_id, Action) if id_of(form.action_id) else None
    if action is not None and action.case_id != case.id:
        abort(404)
    user = db.session.get(User, current_user.id)
    with audit_scope(db.session, Actor.of_user(user), now_utc()):
        try:
            sent = send_task(db.session, case=case, partner=partner, kind=partner.kind,
                             instructions=form.instructions.data, due_date=form.due_date.data,
                             links=signer_from_config(current_app.config), created_by_id=user.id,
                             action=action)
        except PartnerError as exc:
            db.session.rollback()
            form.partner_id.errors.append(_("Mission non envoyée : %(error)s", error=str(exc)))
            return render_case(case, 400, partner=form)
    db.session.commit()
    dispatch([sent.message_id])
    flash(_("Mission envoyée à %(name)s.", name=partner.name), "success")
    return redirect(url_for("backoffice.case", reference=case.reference))
