"""Reassigning cases by hand: one case from its page, a chosen set from the case list. A team
lead moves its own team's cases to its own team's agents; admin and direction any. Each case's
change is audited with the reason (agency.services.calls.assignment.reassign_cases)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.validators import ValidationError

from agency.access import MANAGERS, allow
from agency.backoffice import bp
from agency.backoffice.cases import CASE_QUERY, render_case, render_cases
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Case, User
from agency.services.audit import Actor, audit_scope
from agency.services.calls.assignment import AssignmentError, assignable_agents, reassign_cases
from agency.services.cases import find_case
from agency.web.forms import BrowserForm, IdListField, id_field, id_of, text_field
from agency.web.params import form, query
from agency.web.registry import case_panel


class ReassignForm(BrowserForm):
    """To whom, and why (the reason goes to each case's audit trail)."""
    to_agent = id_field(_l("Nouveau gestionnaire"))
    reason = text_field(_l("Motif"), 500, required=True)


class SelectionForm(ReassignForm):
    case_id = IdListField(_l("Dossiers"))

    def validate_case_id(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Cochez au moins un dossier."))


def lead_team() -> int | None:
    """The team a team lead is confined to; None for admin and direction."""
    return current_user.team_id if current_user.role == "team_lead" else None


def _target(reassign: ReassignForm) -> User | None:
    """The chosen agent, if the current user may give it cases; else the form says why."""
    agent_id = id_of(reassign.to_agent)
    allowed = {a.id: a for a in assignable_agents(db.session, lead_team())}
    if agent_id is not None and agent_id not in allowed:
        reassign.to_agent.errors.append(_("Gestionnaire inconnu ou hors de votre équipe."))
    return allowed.get(agent_id)


def _move(case_ids: list[int], target: User, reason: str) -> int | str:
    """Move the cases (committed), or the service's refusal (rolled back)."""
    with audit_scope(db.session, Actor.of_user(current_user), now_utc()):
        try:
            moved = reassign_cases(db.session, case_ids, target, reason)
        except AssignmentError as exc:
            db.session.rollback()
            return _("Refusé : %(error)s", error=str(exc))
    db.session.commit()
    return moved


@case_panel(55, "backoffice/panels/reassign.html", roles=MANAGERS)
def _reassign_panel(session, case) -> dict:
    agent = session.get(User, case.agent_id) if case.agent_id else None
    team = case.team_id if current_user.role == "team_lead" else None
    return {"agent": agent, "agents": assignable_agents(session, team),
            "form": ReassignForm(formdata=None),
            "may": current_user.role != "team_lead" or case.team_id == current_user.team_id}


@bp.route("/cases/<reference>/reassign", methods=["POST"])
@allow(MANAGERS)
@form(ReassignForm)
def reassign_case(reference: str, form: ReassignForm):
    case = find_case(db.session, reference) or abort(404)
    if lead_team() is not None and case.team_id != lead_team():
        abort(404)  # another team's case: not this lead's to move
    valid = form.validate()
    target = _target(form)
    if not valid or target is None or form.errors:
        return render_case(case, 400, reassign=form)
    outcome = _move([case.id], target, form.reason.data)
    if isinstance(outcome, str):
        form.reason.errors.append(outcome)
        return render_case(case, 400, reassign=form)
    flash(_("Dossier %(ref)s confié à %(name)s.", ref=case.reference, name=target.name), "success")
    return redirect(url_for("backoffice.case", reference=case.reference))


@bp.route("/cases/reassign", methods=["POST"])
@allow(MANAGERS)
@query(**CASE_QUERY)
@form(SelectionForm)
def reassign_selection(args, form: SelectionForm):
    """The ticked cases of the list go to one agent; the list's filters are kept."""
    valid = form.validate()
    target = _target(form)
    if valid and target is not None and not form.errors:
        outside = _outside_team(form.case_id.data)
        if outside:
            form.case_id.errors.append(_("Dossiers d'une autre équipe : %(refs)s", refs=", ".join(outside)))
    if not valid or target is None or form.errors:
        return render_cases(args, 400, reassign=form)
    outcome = _move(form.case_id.data, target, form.reason.data)
    if isinstance(outcome, str):
        form.case_id.errors.append(outcome)
        return render_cases(args, 400, reassign=form)
    flash(_("%(n)s dossier(s) confié(s) à %(name)s.", n=outcome, name=target.name), "success")
    if outcome < len(set(form.case_id.data)):
        flash(_("%(n)s dossier(s) lui étaient déjà confiés.",
                n=len(set(form.case_id.data)) - outcome), "info")
    return redirect(url_for("backoffice.cases", **request.args.to_dict()))  # checked above


def _outside_team(case_ids: list[int]) -> list[str]:
    """References of the chosen cases a team lead may not move (unknown ones included)."""
    rows = dict(db.session.execute(select(Case.id, Case.team_id).where(Case.id.in_(case_ids))).all())
    unknown = [str(i) for i in case_ids if i not in rows]
    if lead_team() is None:
        return unknown
    others = [i for i, team in rows.items() if team != lead_team()]
    refs = db.session.scalars(select(Case.reference).where(Case.id.in_(others))).all() if others else []
    return unknown + sorted(refs)
