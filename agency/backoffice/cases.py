"""Cases: the searchable list and a case's page (the creditors are in ``creditors``)."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from agency.access import MANAGERS, STAFF, allow
from agency.backoffice import bp
from agency.web.contract_labels import verdict_label
from agency.extensions import db
from agency.models import Creditor, User
from agency.models.case import PHASES, STATUSES
from agency.services.calls.assignment import assignable_agents
from agency.services.case_queries import (CaseFilters, case_balance_shown, claims_page, ledger_page,
                                          search_cases, timeline)
from agency.services.cases import find_case
from agency.services.creditors.contact import creditor_verdict
from agency.services.display_names import history_names
from agency.web.history import history_lines
from agency.web.params import Id, OneOf, Page, Text, query
from agency.web.privacy import record_reads
from agency.web.registry import case_panel, menu_item, panels_for

# The case list's filters, read the same way by the list and by what re-renders it.
CASE_QUERY = dict(q=Text(200), creditor=Text(32), phase=OneOf(PHASES), segment=Text(32),
                  agent=Id(), status=OneOf(STATUSES), page=Page())
# A case page's lists, each a page at a time.
CASE_PAGES = dict(claims_page=Page(), entries_page=Page(), events_page=Page(), actions_page=Page())

menu_item(10, lambda: _l("Dossiers"), "backoffice.cases", STAFF)


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
    record_reads("search", cases=page.cases)
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
@query(**CASE_PAGES)
def case(args, reference: str):
    found = find_case(db.session, reference)
    if found is None:
        abort(404)
    return render_case(found, args=args)


def render_case(found, status: int = 200, args=None, **forms):
    """A case's page; ``forms`` a form posted from one of its panels, refused, shown again
    with its errors beside its fields (the panels read ``forms``)."""
    record_reads("case_page", cases=[found])
    pages = args or {}
    contact = creditor_verdict(db.session, found.creditor)
    return render_template(
        "backoffice/case.html", case=found, balance=case_balance_shown(found),
        claims=claims_page(db.session, found, getattr(pages, "claims_page", 1)),
        entries=ledger_page(db.session, found, getattr(pages, "entries_page", 1)), forms=forms,
        panels=panels_for(db.session, found, current_user.role),
        contact=contact, contact_text=verdict_label(contact)), status


@case_panel(100, "backoffice/panels/history.html")
def _history_panel(session, case) -> dict:
    events = timeline(session, case, page_argument("events_page"))
    return {"events": events,
            "lines": history_lines(events.items, case, history_names(session, case, events.items))}


def page_argument(name: str) -> int:
    """A case page's list page, as CASE_PAGES reads it (a panel is rendered inside the view)."""
    return CASE_PAGES[name].read(name, request.args.get(name))


