"""The platform's state for admins: the same checks as `agency doctor`."""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from agency.access import allow
from agency.backoffice import bp
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.health import run_checks
from agency.web.registry import menu_item

ADMIN = ("admin",)
CHECK_LABELS = {
    "database": _l("Base de données et migrations"),
    "daily_pass": _l("Passe quotidienne des scénarios"),
    "redis": _l("Redis"),
    "workers": _l("Travailleurs et files d'attente"),
    "failed_jobs": _l("Tâches en échec"),
    "scheduler": _l("Planificateur des tâches périodiques"),
    "providers": _l("Fournisseurs (SMS, e-mail, paiement)"),
    "disk": _l("Espace disque"),
}

menu_item(95, lambda: _l("Plateforme"), "backoffice.platform", ADMIN)


@bp.route("/platform")
@allow(ADMIN)
def platform():
    now = now_utc()
    checks = run_checks(current_app.config, db.session, current_app.instance_path, now)
    db.session.rollback()  # it only read
    return render_template("backoffice/platform.html", checks=checks, labels=CHECK_LABELS, now=now,
                           ok=all(check.ok for check in checks))
