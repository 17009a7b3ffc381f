"""A creditor's own cases: the list and a case's page."""
from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from flask_babel import lazy_gettext as _l

from agency.access import CREDITOR, allow
from agency.web.registry import menu_item
from agency.creditor_portal import bp
from agency.extensions import db
from agency.models.case import PHASES
from agency.services.case_queries import CaseFilters, search_cases
from agency.services.cases import find_case
from agency.services.ledger import case_balance, ledger_of
from agency.web.params import OneOf, Page, Text, query

menu_item(10, lambda: _l("Mes dossiers"), "creditor_portal.cases", CREDITOR)


@bp.route("/")
@allow(CREDITOR)
@query(q=Text(200), phase=OneOf(PHASES), segment=Text(32), page=Page())
def cases(args):
    filters = CaseFilters(q=args.q, phase=args.phase, segment=args.segment)
    page = search_cases(db.session, filters, creditor_id=current_user.creditor_id,
                        page=args.page)
    return render_template("creditor_portal/cases.html", page=page, filters=filters,
                           phases=PHASES)


@bp.route("/cases/<reference>")
@allow(CREDITOR)
def case(reference: str):
    found = find_case(db.session, reference, creditor_id=current_user.creditor_id)
    if found is None:
        abort(404)
    return render_template("creditor_portal/case.html", case=found,
                           balance=case_balance(db.session, found),
                           entries=ledger_of(db.session, found))
