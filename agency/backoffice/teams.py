"""Teams, pairs and partners: assignment rules, absences and cover, bulk reassignment,
and tasks sent to external partners from the case page."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from agency.access import MANAGERS, STAFF, allow
from agency.backoffice import bp
from agency.web.registry import case_panel, menu_item
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Action, AssignmentRule, Creditor, Partner, Team, User
from agency.services.calls.assignment import AssignmentError, bulk_reassign, set_absence, set_rule
from agency.services.audit import Actor, audit_scope
from agency.services.cases import find_case
from agency.services.links import signer_from_config
from agency.services.partners import (
    PARTNER_KINDS, PartnerError, entrustable_actions, send_task, tasks_of_case,
)
from workers.messages import dispatch

menu_item(80, lambda: _l("Équipes"), "backoffice.teams", MANAGERS)


@bp.route("/teams")
@allow(MANAGERS)
def teams():
    rows = db.session.scalars(select(Team).order_by(Team.name)).all()
    members = db.session.scalars(select(User).where(User.team_id.is_not(None)).order_by(User.name)).all()
    rules = db.session.scalars(select(AssignmentRule)).all()
    creditors = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    partners = db.session.scalars(select(Partner).order_by(Partner.kind, Partner.name)).all()
    return render_template("teams/teams.html", teams=rows, members=members, rules=rules,
                           creditors=creditors, partners=partners, today=now_utc().date())


def _manageable_team(team_id: int | None) -> None:
    """A team lead manages its own team only; admin and direction every team."""
    if current_user.role == "team_lead" and team_id != current_user.team_id:
        abort(404)


def _act(work, message: str):
    user = db.session.get(User, current_user.id)
    with audit_scope(db.session, Actor.of_user(user), now_utc()):
        try:
            work()
        except (AssignmentError, ValueError) as exc:
            db.session.rollback()
            flash(_("Refusé : %(error)s", error=str(exc)), "danger")
            return redirect(url_for("backoffice.teams"))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("backoffice.teams"))


@bp.route("/teams/<int:team_id>/rule", methods=["POST"])
@allow(MANAGERS)
def team_rule(team_id: int):
    team = db.session.get(Team, team_id) or abort(404)
    _manageable_team(team.id)
    creditor_id = request.form.get("creditor_id", type=int)
    agent = db.session.get(User, request.form.get("agent_id", type=int) or 0)
    return _act(lambda: set_rule(db.session, team=team, strategy=request.form.get("strategy", ""),
                                 creditor_id=creditor_id, agent=agent), _("Règle d'affectation enregistrée."))


@bp.route("/agents/<int:user_id>/absence", methods=["POST"])
@allow(MANAGERS)
def agent_absence(user_id: int):
    agent = db.session.get(User, user_id)
    if agent is None or agent.role not in ("agent", "team_lead"):
        abort(404)
    _manageable_team(agent.team_id)
    raw = request.form.get("until", "").strip()
    until = date.fromisoformat(raw) if raw else None
    return _act(lambda: set_absence(db.session, agent, until), _("Absence enregistrée."))


@bp.route("/teams/reassign", methods=["POST"])
@allow(MANAGERS)
def reassign():
    source = db.session.get(User, request.form.get("from_agent", type=int) or 0)
    target = db.session.get(User, request.form.get("to_agent", type=int) or 0)
    if source is None or target is None:
        abort(404)
    _manageable_team(source.team_id)
    _manageable_team(target.team_id)
    moved = []
    result = _act(lambda: moved.append(bulk_reassign(
        db.session, from_agent=source, to_agent=target, creditor_id=request.form.get("creditor_id", type=int),
        reason=request.form.get("reason", "").strip())), _("Dossiers réaffectés."))
    if moved:
        flash(_("%(n)s dossier(s) réaffecté(s).", n=moved[0]), "info")
    return result


@case_panel(60, "teams/partner_panel.html")
def _partner_panel(session, case) -> dict:
    partners = session.scalars(select(Partner).where(Partner.active.is_(True)).order_by(Partner.kind, Partner.name))
    return {"tasks": tasks_of_case(session, case), "partners": list(partners), "kinds": PARTNER_KINDS,
            "actions": entrustable_actions(session, case)}


@bp.route("/cases/<reference>/partner-tasks", methods=["POST"])
@allow(STAFF)
def send_partner_task(reference: str):
    case = find_case(db.session, reference) or abort(404)
    partner = db.session.get(Partner, request.form.get("partner_id", type=int) or 0) or abort(404)
    action_id = request.form.get("action_id", type=int)
    action = db.session.get(Action, action_id) if action_id else None
    if action_id and (action is None or action.case_id != case.id):
        abort(404)
    raw_due = request.form.get("due_date", "").strip()
    user = db.session.get(User, current_user.id)
    with audit_scope(db.session, Actor.of_user(user), now_utc()):
        try:
            sent = send_task(db.session, case=case, partner=partner, kind=partner.kind,
                             instructions=request.form.get("instructions", ""),
                             due_date=date.fromisoformat(raw_due) if raw_due else None,
                             links=signer_from_config(current_app.config), created_by_id=user.id,
                             action=action)
        except (PartnerError, ValueError) as exc:
            db.session.rollback()
            flash(_("Mission non envoyée : %(error)s", error=str(exc)), "danger")
            return redirect(url_for("backoffice.case", reference=case.reference))
    db.session.commit()
    dispatch([sent.message_id])
    flash(_("Mission envoyée à %(name)s.", name=partner.name), "success")
    return redirect(url_for("backoffice.case", reference=case.reference))
