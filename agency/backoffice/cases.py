"""Cases: the searchable list, a case's page, the creditors' list."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from agency.access import MANAGERS, STAFF, allow
from agency.backoffice import bp
from agency.web.registry import case_panel, menu_item, panels_for
from agency.extensions import db
from agency.models import Creditor, User
from agency.models.case import PHASES, STATUSES
from agency.services.calls.assignment import assignable_agents
from agency.services.case_queries import CaseFilters, case_actions, search_cases, timeline
from agency.services.cases import find_case
from agency.services.ledger import case_balance, ledger_of
from agency.web.params import Id, OneOf, Page, Text, query

# The case list's filters, read the same way by the list and by what re-renders it.
CASE_QUERY = dict(q=Text(200), creditor=Text(32), phase=OneOf(PHASES), segment=Text(32),
                  agent=Id(), status=OneOf(STATUSES), page=Page())

menu_item(10, lambda: _l("Dossiers"), "backoffice.cases", STAFF)
menu_item(90, lambda: _l("Donneurs d'ordre"), "backoffice.creditors", MANAGERS)


@bp.route("/")
@allow(STAFF)
def home():
    return redirect(url_for("backoffice.cases"))


@bp.route("/cases")
@allow(STAFF)
@query(**CASE_QUERY)
def cases(args):
    return render_cases(args)


def render_cases(args, status: int = 200, **forms):
    """The case list for the filters in ``args``; ``forms`` a form posted from it, refused."""
    filters = CaseFilters(q=args.q, creditor_code=args.creditor, phase=args.phase,
                          segment=args.segment, agent_id=args.agent, status=args.status)
    page = search_cases(db.session, filters, page=args.page)
    creditors = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    agents = db.session.scalars(
        select(User).where(User.role.in_(("agent", "team_lead"))).order_by(User.name)).all()
    lead = current_user.team_id if current_user.role == "team_lead" else None
    targets = assignable_agents(db.session, lead) if current_user.role in MANAGERS else []
    return render_template("backoffice/cases.html", page=page, filters=filters,
                           creditors=creditors, agents=agents, phases=PHASES,
                           targets=targets, agent_names={a.id: a.name for a in agents},
                           forms=forms), status


@bp.route("/cases/<reference>")
@allow(STAFF)
def case(reference: str):
    found = find_case(db.session, reference)
    if found is None:
        abort(404)
    return render_case(found)


def render_case(found, status: int = 200, **forms):
    """A case's page; ``forms`` a form posted from one of its panels, refused, shown again
    with its errors beside its fields (the panels read ``forms``)."""
    return render_template(
        "backoffice/case.html", case=found, balance=case_balance(db.session, found),
        entries=ledger_of(db.session, found), forms=forms,
        panels=panels_for(db.session, found, current_user.role)), status


@case_panel(50, "backoffice/panels/actions.html")
def _actions_panel(session, case) -> dict:
    return {"actions": case_actions(session, case)}


@case_panel(100, "backoffice/panels/history.html")
def _history_panel(session, case) -> dict:
    events = timeline(session, case)
    agent_ids = {value for e in events for value in e.changes.get("agent_id", ()) if value}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(agent_ids)))
                 .all()) if agent_ids else {}
    return {"events": events, "agent_names": names}


@bp.route("/creditors")
@allow(MANAGERS)
def creditors():
    rows = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    return render_template("backoffice/creditors.html", creditors=rows)
