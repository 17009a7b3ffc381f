"""The partners' side: a partner opens the secret link of a task's email, reports the outcome
and uploads its document (a bailiff's deed, a visit report). No account: the link is the key."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from agency.access import PARTNER, allow
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Case, Partner
from agency.services.audit import Actor, audit_scope
from agency.services.partners import TASK_OUTCOMES, PartnerError, report_task, task_for_token

bp = Blueprint("partner_links", __name__)

ALLOWED_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".docx", ".odt"}


def _task_or_404(token: str):
    task = task_for_token(db.session, token, now_utc())
    if task is None:
        abort(404)
    return task


@bp.route("/<token>", methods=["GET", "POST"])
@allow(PARTNER)
def task(token: str):
    found = _task_or_404(token)
    case = db.session.get(Case, found.case_id)
    partner = db.session.get(Partner, found.partner_id)
    error = None
    if request.method == "POST" and found.status == "sent":
        error = _report(found, partner)
        if error is None:
            db.session.commit()
    return render_template("partner_links/task.html", task=found, case=case, partner=partner,
                           outcomes=TASK_OUTCOMES, error=error)


def _report(found, partner) -> str | None:
    upload = request.files.get("document")
    name = path = None
    if upload is not None and upload.filename:
        name = secure_filename(upload.filename)
        if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
            return _("Type de fichier refusé (PDF, image, document texte).")
        folder = Path(current_app.instance_path) / "partner_documents" / str(found.id)
        folder.mkdir(parents=True, exist_ok=True)
        path = str(folder / name)
        upload.save(path)
    with audit_scope(db.session, Actor(label=f"partner:{partner.email or partner.id}"), now_utc()):
        try:
            report_task(db.session, task=found, outcome=request.form.get("outcome", ""),
                        report=request.form.get("report", ""), document_name=name, document_path=path)
        except PartnerError as exc:
            db.session.rollback()
            return str(exc)
    return None
