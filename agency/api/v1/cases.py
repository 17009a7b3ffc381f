"""API: a creditor's cases."""
from __future__ import annotations

from flask import g

from agency.access import API, allow
from agency.api.v1 import bp
from agency.extensions import db
from agency.services.audit import Actor
from agency.services.case_queries import CaseFilters, search_cases
from agency.services.cases import case_document, find_case
from agency.web.params import Page, PerPage, Text, query
from agency.web.privacy import record_reads


@bp.route("/cases")
@allow(API)
@query(q=Text(200), page=Page(), per_page=PerPage(100, 500))
def list_cases(args):
    page = search_cases(db.session, CaseFilters(q=args.q), creditor_id=g.api_creditor.id,
                        page=args.page, per_page=args.per_page)
    record_reads("api", cases=page.cases, actor=_token_holder())
    return {
        "cases": [{"reference": c.reference, "external_ref": c.external_ref,
                   "debtor": c.debtor.name, "phase": c.phase, "status": c.status,
                   "segment": c.segment, "balance_minor": page.balances.get(c.id, 0),
                   "currency": c.currency} for c in page.cases],
        "page": page.page, "pages": page.pages, "total": page.total,
    }


@bp.route("/cases/<path:ref>")
@allow(API)
@query(page=Page(), per_page=PerPage(100, 500))
def show_case(args, ref: str):
    """A case by our reference or by the creditor's own reference; its claims and actions
    a page at a time (``page``, ``per_page`` up to 500; ``pagination`` tells how many)."""
    case = (find_case(db.session, ref, creditor_id=g.api_creditor.id)
            or find_case(db.session, f"{g.api_creditor.code}/{ref}", creditor_id=g.api_creditor.id))
    if case is None:
        return {"error": "case not found"}, 404
    record_reads("api", cases=[case], actor=_token_holder())
    return case_document(db.session, case, page=args.page, per_page=args.per_page)


def _token_holder() -> Actor:
    return Actor(label=f"api:{g.api_creditor.code}")
