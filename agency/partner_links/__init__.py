"""The partners' side: a partner opens the secret link of a task's email, reports the outcome
and uploads its document (a bailiff's deed, a visit report). No account: the link is the key."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.utils import secure_filename
from wtforms import FileField

from agency.access import PARTNER, allow
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Case, Partner
from agency.services.audit import Actor, audit_scope
from agency.services.partners import TASK_OUTCOMES, PartnerError, report_task, task_for_token
from agency.web.forms import BrowserForm, choice_field, text_field
from agency.web.params import form

bp = Blueprint("partner_links", __name__)

# What a partner's document may be: its suffix, and the signature its content must start with.
SIGNATURES = {".pdf": (b"%PDF",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
              ".png": (b"\x89PNG",), ".docx": (b"PK\x03\x04",), ".odt": (b"PK\x03\x04",)}
ALLOWED_SUFFIXES = set(SIGNATURES)
DOCUMENT_MAX_MB = 20


def _task_or_404(token: str):
    task = task_for_token(db.session, token, now_utc())
    if task is None:
        abort(404)
    return task


class ReportForm(BrowserForm):
    outcome = choice_field(_l("Résultat"), TASK_OUTCOMES)
    report = text_field(_l("Compte rendu"), 10_000, required=True)
    document = FileField(_l("Document (PDF, image)"))


@bp.route("/<token>", methods=["GET", "POST"])
@allow(PARTNER)
@form(ReportForm)
def task(token: str, form: ReportForm):
    found = _task_or_404(token)
    case = db.session.get(Case, found.case_id)
    partner = db.session.get(Partner, found.partner_id)
    errors, status = [], 200
    if request.method == "POST" and found.status == "sent":
        errors = form.error_messages() if not form.validate() else _report(found, partner, form)
        if errors:
            status = 400
        else:
            db.session.commit()
    return render_template("partner_links/task.html", task=found, case=case, partner=partner,
                           outcomes=TASK_OUTCOMES, errors=errors, form=form), status


def _report(found, partner, form: ReportForm) -> list[str]:
    """Check the document, record the report, then store the document: a report refused
    (or a document refused) leaves no file behind."""
    upload = form.document.data
    name = path = None
    if upload is not None and upload.filename:
        name = secure_filename(upload.filename) or "document"
        error = _document_error(upload, name)
        if error:
            return [error]
        path = str(Path(current_app.instance_path) / "partner_documents" / str(found.id) / name)
    with audit_scope(db.session, Actor(label=f"partner:{partner.email or partner.id}"), now_utc()):
        try:
            report_task(db.session, task=found, outcome=form.outcome.data, report=form.report.data,
                        document_name=name, document_path=path)
        except PartnerError as exc:
            db.session.rollback()
            return [str(exc)]
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        upload.save(path)
    return []


def _document_error(upload, name: str) -> str | None:
    """Why a document is refused (type, content, size), or None."""
    limit_mb = current_app.config.get("PARTNER_DOCUMENT_MAX_MB") or DOCUMENT_MAX_MB
    signatures = SIGNATURES.get(Path(name).suffix.lower())
    stream = upload.stream
    head = stream.read(8)
    size = stream.seek(0, 2)
    stream.seek(0)
    if signatures is None or not head.startswith(signatures):
        return _("Type de fichier refusé (PDF, image, document texte).")
    if size > limit_mb * 1024 * 1024:
        return _("Document trop volumineux (limite : %(mb)s Mo).", mb=limit_mb)
    return None
