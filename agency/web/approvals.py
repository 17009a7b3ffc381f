"""The approval form the back-office and the creditor portal share: one decision (approve
or reject with a reason) on the ticked actions the user may decide."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.services.approvals import ApprovalError, decide
from agency.services.audit import Actor, audit_scope


def decide_from_form(back: str):
    """Shared by the back-office and the creditor portal: one decision on the ticked actions."""
    ids = [int(v) for v in request.form.getlist("action_id") if v.isdigit()]
    approve = request.form.get("decision") == "approve"
    reason = request.form.get("reason", "")
    try:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc(), reason or None):
            count = decide(db.session, current_user, ids, approve=approve, reason=reason)
        db.session.commit()
    except LookupError:
        db.session.rollback()
        abort(404)
    except ApprovalError:
        db.session.rollback()
        flash(_("Un refus doit être motivé."), "danger")
        return redirect(url_for(back))
    if count:
        flash(_("%(n)s action(s) validée(s).", n=count) if approve
              else _("%(n)s action(s) refusée(s).", n=count), "success")
    return redirect(url_for(back))
