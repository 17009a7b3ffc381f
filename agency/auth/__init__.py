"""Signing in and out, one's own account (password, second factor, sessions) and the
language switch. Views live in the modules of this package, imported here."""
from __future__ import annotations

import importlib
import pkgutil
from urllib.parse import urlsplit

from flask import Blueprint, redirect, request, session, url_for
from flask_login import current_user

from agency.access import PUBLIC, allow
from agency.extensions import db

bp = Blueprint("auth", __name__)


@bp.route("/lang/<code>", methods=["POST"])
@allow(PUBLIC)
def set_language(code: str):
    if code in ("fr", "en"):
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next() or url_for("auth.login"))


@bp.route("/healthz")
@allow(PUBLIC)
def health():
    return {"status": "ok"}


def home_for(user) -> str:
    if user.role == "creditor":
        return url_for("creditor_portal.cases")
    return url_for("backoffice.cases")


def safe_next(target: str | None = None) -> str | None:
    """Only same-site relative targets, so the login cannot redirect elsewhere."""
    target = target or request.args.get("next") or request.form.get("next")
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# Each module of this package adds its views to bp (as the back-office's do).
for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
