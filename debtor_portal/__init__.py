"""The debtor portal: a debtor opens the signed link of a reminder and sees its own case."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from itsdangerous import BadSignature, URLSafeTimedSerializer

from agency.access import DEBTOR, allow
from agency.extensions import db
from agency.models import Case
from agency.services.ledger import case_balance

bp = Blueprint("debtor_portal", __name__)

LINK_MAX_AGE = 60 * 60 * 24 * 120  # a reminder's link works for four months


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="debtor-access")


def access_token(case: Case) -> str:
    """The token of a debtor's link to one case."""
    return _serializer().dumps({"case": case.id, "ref": case.reference})


def case_for_token(token: str) -> Case | None:
    try:
        data = _serializer().loads(token, max_age=LINK_MAX_AGE)
    except BadSignature:
        return None
    case = db.session.get(Case, data.get("case"))
    # The reference in the token must match, so a reused id cannot open another case.
    return case if case is not None and case.reference == data.get("ref") else None


@bp.route("/<token>")
@allow(DEBTOR)
def case(token: str):
    found = case_for_token(token)
    if found is None:
        abort(404)
    return render_template("debtor_portal/case.html", case=found,
                           balance=case_balance(db.session, found))
