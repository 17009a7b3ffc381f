"""The import report page, as the back-office and the creditor portal show it."""
from __future__ import annotations

from flask import request

from agency.extensions import db
from agency.services.intake import status_document
from agency.services.intake.report import created_cases, percent_done, report_page

REPORT_PAGE = 100


def report_context(portfolio, case_endpoint: str) -> dict:
    """What the report page shows: the counters, and a page of each of its lists (rejected
    rows, rows kept with warnings, cases opened), chosen by the query string."""
    args = request.args
    return {"portfolio": portfolio, "percent": percent_done(portfolio),
            "report": status_document(db.session, portfolio, errors=False),
            "rejected": report_page(db.session, portfolio, "error",
                                    args.get("errors_page", 1, type=int), REPORT_PAGE),
            "warned": report_page(db.session, portfolio, "warning",
                                  args.get("warnings_page", 1, type=int), REPORT_PAGE),
            "cases": created_cases(db.session, portfolio, args.get("cases_page", 1, type=int),
                                   REPORT_PAGE),
            "case_endpoint": case_endpoint}

