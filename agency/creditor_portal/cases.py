"""A creditor's own cases: the list and a case's page."""
from __future__ import annotations

from flask import abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from agency.access import CREDITOR, allow
from agency.creditor_portal import bp
from agency.extensions import db
from agency.models.case import PHASES
from agency.services.case_queries import (CaseFilters, case_balance_shown, claims_page,
                                          ledger_page, search_cases)
from agency.services.cases import find_case
from agency.web.params import OneOf, Page, Text, query
from agency.web.privacy import record_reads
from agency.web.registry import menu_item

menu_item(10, lambda: _l("Mes dossiers"), "creditor_portal.cases", CREDITOR)


@bp.route("/")
@allow(CREDITOR)
@query(q=Text(200), phase=OneOf(PHASES), segment=Text(32), page=Page())
def cases(args):
    filters = CaseFilters(q=args.q, phase=args.phase, segment=args.segment)
    page = search_cases(db.session, filters, creditor_id=current_user.creditor_id,
                        page=args.page)
    record_reads("search", cases=page.cases)
    return render_template("creditor_portal/cases.html", page=page, filters=filters,
                           phases=PHASES)


@bp.route("/cases/<reference>")
@allow(CREDITOR)
@query(claims_page=Page(), entries_page=Page())
def case(args, reference: str):
    found = find_case(db.session, reference, creditor_id=current_user.creditor_id)
    if found is None:
        abort(404)
    record_reads("case_page", cases=[found])
    return render_template(
        "creditor_portal/case.html", case=found, balance=case_balance_shown(found),
        claims=claims_page(db.session, found, args.claims_page),
        entries=ledger_page(db.session, found, args.entries_page))
