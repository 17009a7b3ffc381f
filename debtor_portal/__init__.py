"""The debtor portal: a debtor opens the signed link of a reminder and sees its own case.

Its pages speak the debtor's language (its record's, French when unknown), not the browser's,
with money written by that language's rules; the debtor may switch between French and English,
a choice kept in the session for that debtor only. Staff pages pick their locale as before.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import force_locale

from agency.access import DEBTOR, allow
from agency.domain.timezones import now_utc
from agency.extensions import csrf, db
from agency.models import Case, Debtor
from agency.services.audit import Actor, audit_scope
from agency.services.case_queries import case_balance_shown, claims_page
from agency.services.links import CASE_LINK_MAX_AGE, OPT_OUT_MAX_AGE, signer_from_config
from agency.services.messages import contact_status, opt_out
from agency.web.params import Page, query
from agency.web.privacy import record_reads

bp = Blueprint("debtor_portal", __name__)

LANGUAGES = ("fr", "en")
CHOICE = "debtor_lang"  # session key: {"debtor": id, "lang": code}, one debtor at a time


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


def _opt_out_data(token: str) -> dict:
    data = signer_from_config(current_app.config).read("opt-out", token, OPT_OUT_MAX_AGE)
    return data or abort(404)


def debtor_language(debtor: Debtor | None) -> str:
    """The debtor's choice in this browser, else its record's language, else French."""
    chosen = session.get(CHOICE) or {}
    if debtor is not None and chosen.get("debtor") == debtor.id and chosen.get("lang") in LANGUAGES:
        return chosen["lang"]
    language = (debtor.language or "").lower()[:2] if debtor is not None else ""
    return language if language in LANGUAGES else "fr"


def render_for(debtor: Debtor | None, template: str, switch_endpoint: str, token: str, **context):
    """A debtor page in the debtor's language, with its switch to the other one."""
    language = debtor_language(debtor)
    with force_locale(language):
        return render_template(template, debtor_switch=(switch_endpoint, token, language), **context)


def _choose(debtor_id: int, code: str) -> None:
    if code not in LANGUAGES:
        abort(404)
    session[CHOICE] = {"debtor": debtor_id, "lang": code}


@bp.route("/<token>")
@allow(DEBTOR)
@query(claims_page=Page())
def case(args, token: str):
    found = case_for_token(token)
    if found is None:
        abort(404)
    record_reads("portal", cases=[found], actor=Actor(label=f"debtor:{found.reference}"))
    return render_for(found.debtor, "debtor_portal/case.html", "debtor_portal.set_language", token,
                      case=found, balance=case_balance_shown(found),
                      claims=claims_page(db.session, found, args.claims_page))


@bp.route("/<token>/lang/<code>", methods=["POST"])
@allow(DEBTOR)
def set_language(token: str, code: str):
    found = case_for_token(token)
    if found is None:
        abort(404)
    _choose(found.debtor_id, code)
    return redirect(url_for("debtor_portal.case", token=token))


@bp.route("/stop/<token>", methods=["GET", "POST"])
@allow(DEBTOR)
@csrf.exempt  # checked below: only RFC 8058's one-click POST comes without a token
def stop(token: str):
    """The free opt-out every message carries. GET only asks (a mail scanner prefetching the
    link changes nothing); POST opts out: the page's button, or the mail client's one-click
    unsubscribe (List-Unsubscribe-Post), which carries no cookie, hence no CSRF token."""
    data = _opt_out_data(token)
    channel, address, debtor_id = data["c"], data["a"], data["d"]
    debtor = db.session.get(Debtor, debtor_id)
    if request.method == "GET":
        done = contact_status(db.session, debtor_id, channel, address) == "opted_out"
        return render_for(debtor, "debtor_portal/stop.html", "debtor_portal.set_stop_language", token,
                          channel=channel, address=address, done=done)
    if request.form.get("List-Unsubscribe") != "One-Click":
        csrf.protect()
    with audit_scope(db.session, Actor(label="debtor:opt-out"), now_utc(), reason="opt-out link"):
        opt_out(db.session, debtor_id=debtor_id, channel=channel, address=address)
    db.session.commit()
    return render_for(debtor, "debtor_portal/stopped.html", "debtor_portal.set_stop_language",
                      token, channel=channel, address=address)


@bp.route("/stop/<token>/lang/<code>", methods=["POST"])
@allow(DEBTOR)
def set_stop_language(token: str, code: str):
    _choose(_opt_out_data(token)["d"], code)
    return redirect(url_for("debtor_portal.stop", token=token))
