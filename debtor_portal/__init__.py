"""The debtor portal: a debtor opens the signed link of a reminder and sees its own case."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from agency.access import DEBTOR, allow
from agency.domain.timezones import now_utc
from agency.extensions import csrf, db
from agency.models import Case
from agency.services.audit import Actor, audit_scope
from agency.services.case_queries import case_balance_shown, claims_page
from agency.services.links import CASE_LINK_MAX_AGE, OPT_OUT_MAX_AGE, signer_from_config
from agency.services.messages import contact_status, opt_out
from agency.web.privacy import record_reads

bp = Blueprint("debtor_portal", __name__)


def access_token(case: Case) -> str:
    """The token of a debtor's link to one case."""
    return signer_from_config(current_app.config).case_token(case.id, case.reference)


def case_for_token(token: str) -> Case | None:
    data = signer_from_config(current_app.config).read("debtor-access", token, CASE_LINK_MAX_AGE)
    if not data:
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
    record_reads("portal", cases=[found], actor=Actor(label=f"debtor:{found.reference}"))
    return render_template("debtor_portal/case.html", case=found,
                           balance=case_balance_shown(found),
                           claims=claims_page(db.session, found,
                                              request.args.get("claims_page", 1, type=int)))


@bp.route("/stop/<token>", methods=["GET", "POST"])
@allow(DEBTOR)
@csrf.exempt  # checked below: only RFC 8058's one-click POST comes without a token
def stop(token: str):
    """The free opt-out every message carries. GET only asks (a mail scanner prefetching the
    link changes nothing); POST opts out: the page's button, or the mail client's one-click
    unsubscribe (List-Unsubscribe-Post), which carries no cookie, hence no CSRF token."""
    data = signer_from_config(current_app.config).read("opt-out", token, OPT_OUT_MAX_AGE)
    if not data:
        abort(404)
    channel, address, debtor_id = data["c"], data["a"], data["d"]
    if request.method == "GET":
        done = contact_status(db.session, debtor_id, channel, address) == "opted_out"
        return render_template("debtor_portal/stop.html", channel=channel, address=address, done=done)
    if request.form.get("List-Unsubscribe") != "One-Click":
        csrf.protect()
    with audit_scope(db.session, Actor(label="debtor:opt-out"), now_utc(), reason="opt-out link"):
        opt_out(db.session, debtor_id=debtor_id, channel=channel, address=address)
    db.session.commit()
    return render_template("debtor_portal/stopped.html", channel=channel, address=address)
