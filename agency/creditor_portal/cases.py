"""A creditor's own cases: the list and a case's page."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from flask_babel import lazy_gettext as _l

from agency.access import CREDITOR, allow
from agency.web.registry import menu_item
from agency.creditor_portal import bp
from agency.extensions import db
from agency.models.case import PHASES
from agency.services.case_queries import (CaseFilters, case_balance_shown, claims_page,
                                          ledger_page, search_cases)
from agency.services.cases import find_case
from agency.web.privacy import record_reads
menu_item(10, lambda: _l("Mes dossiers"), "creditor_portal.cases", CREDITOR)


@bp.route("/")
@allow(CREDITOR)
def cases():
    args = request.args
    filters = CaseFilters(q=args.get("q") or None, phase=args.get("phase") or None,
                          segment=args.get("segment") or None)
    page = search_cases(db.session, filters, creditor_id=current_user.creditor_id,
                        page=args.get("page", 1, type=int))
    record_reads("search", cases=page.cases)
    return render_template("creditor_portal/cases.html", page=page, filters=filters,
                           phases=PHASES)


@bp.route("/cases/<reference>")
@allow(CREDITOR)
def case(reference: str):
    found = find_case(db.session, reference, creditor_id=current_user.creditor_id)
    if found is None:
        abort(404)
    record_reads("case_page", cases=[found])
    args = request.args
    return render_template(
        "creditor_portal/case.html", case=found, balance=case_balance_shown(found),
        claims=claims_page(db.session, found, args.get("claims_page", 1, type=int)),
        entries=ledger_page(db.session, found, args.get("entries_page", 1, type=int)))
