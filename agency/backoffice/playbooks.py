"""Playbooks in the back-office: the list, a playbook's versions, editing (a new version,
by the direction), export; and the case page's panel: done, waiting, next."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from agency.access import MANAGERS, allow
from agency.backoffice import bp
from agency.web.registry import case_panel, menu_item
from agency.domain.playbook import PlaybookError
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models.playbook import PlaybookVersion
from agency.services.audit import Actor, audit_scope
from agency.services.engine.plan import case_plan
from agency.services.engine.playbooks import export_playbook, import_playbook, list_playbooks
from agency.web.forms import BrowserForm, text_field
from agency.web.params import ID_MAX, Int, OneOf, Text, form, query

EDITORS = ("admin", "direction")
PLAYBOOK_MAX = 200_000  # characters of a playbook's YAML: the built-in ones are ~10,000
menu_item(80, lambda: _l("Procédures"), "backoffice.playbooks", MANAGERS)


@bp.route("/playbooks")
@allow(MANAGERS)
def playbooks():
    return render_template("playbooks/list.html", playbooks=list_playbooks(db.session))


@bp.route("/playbooks/<name>")
@allow(MANAGERS)
@query(draft=Text(PLAYBOOK_MAX))
def playbook_detail(name: str, args):
    return render_playbook(name, args.draft)


def render_playbook(name: str, draft: str | None, status: int = 200, problems=(), note=None):
    """A playbook's page: its versions and its text (the draft being edited, if any)."""
    versions = db.session.scalars(select(PlaybookVersion).where(PlaybookVersion.name == name)
                                  .order_by(PlaybookVersion.version.desc())).all()
    if not versions:
        abort(404)
    text = draft or export_playbook(db.session, name, "yaml")
    return render_template("playbooks/edit.html", name=name, versions=versions, text=text,
                           can_edit=current_user.role in EDITORS, problems=problems,
                           note=note), status


class PlaybookForm(BrowserForm):
    text = text_field(_l("Procédure (YAML)"), PLAYBOOK_MAX, required=True)
    note = text_field(_l("Motif du changement"), 500)


@bp.route("/playbooks/<name>", methods=["POST"])
@allow(EDITORS)
@form(PlaybookForm)
def playbook_save(name: str, form: PlaybookForm):
    """A new version from the edited text; refused, the text is shown again with the problems."""
    if not form.validate():
        return render_playbook(name, form.text.data, 400, form.error_messages(), form.note.data)
    note = form.note.data or None
    try:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc(), note):
            row, created = import_playbook(db.session, form.text.data, note=note)
    except PlaybookError as exc:
        db.session.rollback()
        return render_playbook(name, form.text.data, 400, exc.problems[:20], note)
    db.session.commit()
    flash(_("Version %(v)s enregistrée.", v=row.version) if created
          else _("Aucun changement."), "success")
    return redirect(url_for("backoffice.playbook_detail", name=row.name))


@bp.route("/playbooks/<name>/export")
@allow(MANAGERS)
@query(format=OneOf(("yaml", "json"), "yaml"), version=Int(1, ID_MAX))
def playbook_export(name: str, args):
    fmt = args.format
    try:
        body = export_playbook(db.session, name, fmt, args.version)
    except PlaybookError:
        abort(404)
    return Response(body, mimetype="application/json" if fmt == "json" else "application/yaml",
                    headers={"Content-Disposition": f"attachment; filename={name}.{fmt}"})


@case_panel(40, "engine/case_panel.html")
def _plan_panel(session, case) -> dict:
    return case_plan(session, case, now_utc())
