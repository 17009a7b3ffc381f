"""Playbooks in the back-office: the list, a playbook's versions, editing (a new version,
by the direction), export; and the case page's panel: done, waiting, next."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
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

EDITORS = ("admin", "direction")
menu_item(80, lambda: _l("Procédures"), "backoffice.playbooks", MANAGERS)


@bp.route("/playbooks")
@allow(MANAGERS)
def playbooks():
    return render_template("playbooks/list.html", playbooks=list_playbooks(db.session))


@bp.route("/playbooks/<name>")
@allow(MANAGERS)
def playbook_detail(name: str):
    versions = db.session.scalars(select(PlaybookVersion).where(PlaybookVersion.name == name)
                                  .order_by(PlaybookVersion.version.desc())).all()
    if not versions:
        abort(404)
    text = request.args.get("draft") or export_playbook(db.session, name, "yaml")
    return render_template("playbooks/edit.html", name=name, versions=versions, text=text,
                           can_edit=current_user.role in EDITORS)


@bp.route("/playbooks/<name>", methods=["POST"])
@allow(EDITORS)
def playbook_save(name: str):
    text, note = request.form.get("text", ""), request.form.get("note") or None
    try:
        with audit_scope(db.session, Actor.of_user(current_user), now_utc(), note):
            row, created = import_playbook(db.session, text, note=note)
    except PlaybookError as exc:
        db.session.rollback()
        for problem in exc.problems[:20]:
            flash(problem, "danger")
        return redirect(url_for("backoffice.playbooks"))
    db.session.commit()
    flash(_("Version %(v)s enregistrée.", v=row.version) if created
          else _("Aucun changement."), "success")
    return redirect(url_for("backoffice.playbook_detail", name=row.name))


@bp.route("/playbooks/<name>/export")
@allow(MANAGERS)
def playbook_export(name: str):
    fmt = "json" if request.args.get("format") == "json" else "yaml"
    try:
        body = export_playbook(db.session, name, fmt, request.args.get("version", type=int))
    except PlaybookError:
        abort(404)
    return Response(body, mimetype="application/json" if fmt == "json" else "application/yaml",
                    headers={"Content-Disposition": f"attachment; filename={name}.{fmt}"})


@case_panel(40, "engine/case_panel.html")
def _plan_panel(session, case) -> dict:
    return case_plan(session, case, now_utc())
