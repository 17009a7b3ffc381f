"""Creditors in the back-office: the list with each onboarding's state, and a creditor's
page (identity, mandate and its document, terms and their versions, plan bounds,
approvals and automations, channels and hours, playbook and segments): editable by admin
and direction, read by team leads. Each form calls one service of agency.services.creditors."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from agency.access import MANAGERS, allow
from agency.backoffice import bp
from agency.backoffice._creditor_forms import (
    TERMS_FORMS, ChannelsForm, IdentityForm, MandateForm,
)
from agency.domain.contract import ContractRejected
from agency.domain.playbook import builtin_names
from agency.domain.timezones import local_date, now_utc
from agency.extensions import db
from agency.models import Creditor, CreditorMandate
from agency.models.playbook import PlaybookVersion
from agency.services.audit import Actor, audit_scope
from agency.services.creditors.mandates import Upload, document_file, record_mandate
from agency.services.creditors.onboarding import change_identity, change_terms
from agency.services.creditors.overview import onboarding
from agency.services.creditors.terms import terms_history, terms_in_force
from agency.services.directory import set_default_debtor_kind
from agency.web import contract_labels
from agency.web.forms import BrowserForm, choice_field
from agency.web.params import form
from agency.web.registry import menu_item
from agency.web.uploads import mandate_folder

EDITORS = ("admin", "direction")
menu_item(90, lambda: _l("Donneurs d'ordre"), "backoffice.creditors", MANAGERS)


@bp.route("/creditors")
@allow(MANAGERS)
def creditors():
    rows = db.session.scalars(select(Creditor).order_by(Creditor.name)).all()
    return render_template("backoffice/creditors.html", states=onboarding(db.session, rows, now_utc()),
                           labels=contract_labels)


def _creditor(code: str) -> Creditor:
    creditor = db.session.scalar(select(Creditor).where(Creditor.code == code.upper()))
    if creditor is None:
        abort(404)
    return creditor


def _playbook_choices(creditor: Creditor) -> list[tuple[str, str]]:
    stored = set(db.session.scalars(select(PlaybookVersion.name).distinct()))
    names = sorted(stored | set(builtin_names()) | ({creditor.playbook_name} - {None}))
    return [("", _("— aucune —"))] + [(name, name) for name in names]


def _forms(creditor: Creditor, terms, submitted: tuple[str, object] | None = None) -> dict:
    """Every section's form, filled from what is in force; ``submitted`` keeps its input."""
    locale = creditor.locale or "fr_FR"
    forms = {"identity": IdentityForm(prefix="identity", obj=creditor, formdata=None),
             "mandate": MandateForm(prefix="mandate", formdata=None)}
    forms["identity"].jurisdiction.data = creditor.jurisdiction or ""
    for section, form_class in TERMS_FORMS.items():
        form = form_class(prefix=section, formdata=None)
        form.fill(terms, creditor.currency, locale)
        forms[section] = form
    forms["playbook"].playbook.choices = _playbook_choices(creditor)
    if submitted is not None:
        forms[submitted[0]] = submitted[1]
    return forms


def _page(creditor: Creditor, submitted=None, loose: list[str] | None = None, status: int = 200):
    today = local_date(now_utc(), creditor.timezone)
    terms = terms_in_force(db.session, creditor.id, today)
    state = onboarding(db.session, [creditor], now_utc())[0]
    mandates = db.session.scalars(select(CreditorMandate).where(
        CreditorMandate.creditor_id == creditor.id).order_by(CreditorMandate.id.desc())).all()
    return render_template(
        "backoffice/creditor.html", creditor=creditor, terms=terms, state=state, today=today,
        history=terms_history(db.session, creditor.id), mandates=mandates,
        forms=_forms(creditor, terms, submitted), failed=submitted[0] if submitted else None,
        loose=loose or [], can_edit=current_user.role in EDITORS, labels=contract_labels,
        verdict=contract_labels.verdict_label(state.contact)), status


@bp.route("/creditors/<code>")
@allow(MANAGERS)
def creditor_page(code: str):
    return _page(_creditor(code))


def _not_submitted(creditor: Creditor, section: str, form):
    """A form WTForms refused: its CSRF token expired, or a date that is no date."""
    loose = [_("Le formulaire a expiré : recommencez.")] if "csrf_token" in form.errors else []
    return _page(creditor, (section, form), loose, 400)


def _refused(creditor: Creditor, section: str, form, error: ContractRejected):
    db.session.rollback()
    loose = form.show_errors(error.field_errors)
    creditor = db.session.get(Creditor, creditor.id)
    return _page(creditor, (section, form), loose, 400)


@bp.route("/creditors/<code>/identity", methods=["POST"])
@allow(EDITORS)
def creditor_identity(code: str):
    creditor = _creditor(code)
    form = IdentityForm(prefix="identity")
    if not form.validate_on_submit():
        return _not_submitted(creditor, "identity", form)
    try:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc()):
            changed = change_identity(db.session, creditor, form.data_for_service())
    except ContractRejected as error:
        db.session.rollback()
        for item in error.field_errors:
            getattr(form, item.field).errors = [item.message]
        return _page(db.session.get(Creditor, creditor.id), ("identity", form), [], 400)
    db.session.commit()
    flash(_("Identité enregistrée.") if changed else _("Aucun changement."), "success")
    return redirect(url_for("backoffice.creditor_page", code=creditor.code) + "#identity")


@bp.route("/creditors/<code>/terms/<section>", methods=["POST"])
@allow(EDITORS)
def creditor_terms(code: str, section: str):
    creditor = _creditor(code)
    if section not in TERMS_FORMS:
        abort(404)
    form = TERMS_FORMS[section](prefix=section)
    if section == "playbook":
        form.playbook.choices = _playbook_choices(creditor)
    if not form.validate_on_submit():
        return _not_submitted(creditor, section, form)
    reason = (form.reason.data or "").strip() or None
    try:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc(), reason):
            data = form.data_for_service(terms_in_force(
                db.session, creditor.id, local_date(now_utc(), creditor.timezone))) \
                if isinstance(form, ChannelsForm) else form.data_for_service()
            change = change_terms(db.session, creditor, data, effective_from=form.effective_from.data,
                                  reason=reason)
    except ContractRejected as error:
        return _refused(creditor, section, form, error)
    db.session.commit()
    _flash_change(change)
    return redirect(url_for("backoffice.creditor_page", code=creditor.code) + f"#{section}")


def _flash_change(change) -> None:
    if change.row is None:
        flash(_("Aucun changement."), "info")
        return
    flash(_("Conditions enregistrées, en vigueur à partir du %(day)s.",
            day=change.row.effective_from.strftime("%d/%m/%Y")), "success")
    if change.resegmented is not None:
        counts = change.resegmented
        flash(_("%(n)s dossier(s) en cours modifié(s) : %(s)s changé(s) de segment, %(r)s "
                "engagé(s) sur la nouvelle procédure.", n=counts.cases_changed,
                s=counts.segments_changed, r=counts.reenrolled), "info")


@bp.route("/creditors/<code>/mandate", methods=["POST"])
@allow(EDITORS)
def creditor_mandate(code: str):
    creditor = _creditor(code)
    form = MandateForm(prefix="mandate")
    if not form.validate_on_submit():
        return _not_submitted(creditor, "mandate", form)
    upload = form.document.data
    document = Upload(upload.filename, upload.stream) if upload and upload.filename else None
    reason = (form.reason.data or "").strip() or None
    try:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc(), reason):
            record_mandate(db.session, creditor, form.data_for_service(), folder=mandate_folder(),
                           document=document, reason=reason)
    except ContractRejected as error:
        return _refused(creditor, "mandate", form, error)
    db.session.commit()
    flash(_("Mandat enregistré."), "success")
    return redirect(url_for("backoffice.creditor_page", code=creditor.code) + "#mandate")


@bp.route("/creditors/<code>/mandates/<int:mandate_id>/document")
@allow(MANAGERS)
def creditor_mandate_document(code: str, mandate_id: int):
    creditor = _creditor(code)
    row = db.session.get(CreditorMandate, mandate_id)
    if row is None or row.creditor_id != creditor.id:
        abort(404)
    path = document_file(mandate_folder(), row)
    if path is None:
        abort(404)
    return send_file(path, mimetype=row.document_type or "application/octet-stream",
                     as_attachment=True, download_name=row.document_name or path.name)


class DebtorKindForm(BrowserForm):
    kind = choice_field(_l("Type des débiteurs que le fichier ne décrit pas"), ("person", "company"))


@bp.route("/creditors/<int:creditor_id>/debtor-kind", methods=["POST"])
@allow(MANAGERS)
@form(DebtorKindForm)
def creditor_debtor_kind(creditor_id: int, form: DebtorKindForm):
    """The kind of the debtors a creditor's files do not describe."""
    creditor = db.session.get(Creditor, creditor_id) or abort(404)
    if not form.validate():
        flash(_("Choisissez particulier ou entreprise."), "danger")
        return redirect(url_for("backoffice.creditors"))
    with audit_scope(db.session, Actor.of_user(current_user), now_utc()):
        set_default_debtor_kind(db.session, creditor, form.kind.data)
    db.session.commit()
    flash(_("Type de débiteur par défaut enregistré."), "success")
    return redirect(url_for("backoffice.creditors"))
