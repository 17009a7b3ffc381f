"""API: a creditor's cases."""
from __future__ import annotations

from flask import g

from agency.access import API, allow
from agency.api.v1 import bp
from agency.extensions import db
from agency.services.case_queries import CaseFilters, search_cases
from agency.services.cases import case_document, find_case
from agency.web.params import Page, PerPage, Text, query


@bp.route("/cases")
@allow(API)
@query(q=Text(200), page=Page(), per_page=PerPage(100, 500))
def list_cases(args):
    page = search_cases(db.session, CaseFilters(q=args.q), creditor_id=g.api_creditor.id,
                        page=args.page, per_page=args.per_page)
    return {
        "cases": [{"reference": c.reference, "external_ref": c.external_ref,
                   "debtor": c.debtor.name, "phase": c.phase, "status": c.status,
                   "segment": c.segment, "balance_minor": page.balances.get(c.id, 0),
                   "currency": c.currency} for c in page.cases],
        "page": page.page, "pages": page.pages, "total": page.total,
    }


@bp.route("/cases/<path:ref>")
@allow(API)
def show_case(ref: str):
    """A case by our reference or by the creditor's own reference."""
    case = (find_case(db.session, ref, creditor_id=g.api_creditor.id)
            or find_case(db.session, f"{g.api_creditor.code}/{ref}", creditor_id=g.api_creditor.id))
    if case is None:
        return {"error": "case not found"}, 404
    return case_document(db.session, case)
