"""Who may open which route: every view declares its audience; undeclared is refused."""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from agency.extensions import db
from agency.security import CREDITOR_ROLE, STAFF_ROLES
from agency.services.directory import creditor_for_token
from agency.services.accounts.two_factor import is_required as two_factor_required

PUBLIC = "public"      # anyone (login page, health)
API = "api"            # a creditor's API token
DEBTOR = "debtor"      # a debtor's signed link, checked by the view
PARTNER = DEBTOR       # an external partner's secret task link, checked by the view the same way
STAFF = STAFF_ROLES
MANAGERS = ("admin", "direction", "team_lead")
CREDITOR = (CREDITOR_ROLE,)
SIGNED_IN = STAFF + CREDITOR  # any signed-in user (one's own account pages)


def allow(*audiences: str | tuple[str, ...]) -> Callable:
    """Declare who may call a view: roles, STAFF, CREDITOR, PUBLIC, API or DEBTOR."""
    flat: set[str] = set()
    for audience in audiences:
        flat.update((audience,) if isinstance(audience, str) else audience)

    def mark(view: Callable) -> Callable:
        view.allowed = frozenset(flat)
        return view
    return mark


def reachable_before_two_factor(view: Callable) -> Callable:
    """Mark the view a user who must enrol a second factor may open before doing so."""
    view.before_two_factor = True
    return view


def check_access():
    """before_request: enforce the view's declaration (deny by default)."""
    if request.endpoint is None or request.endpoint == "static" or request.endpoint.endswith(".static"):
        return None
    # Resume the session now, before the view: resuming may end it or note activity and
    # commits that, which must not take a view's half-done changes with it.
    signed_in = current_user.is_authenticated
    view = current_app.view_functions.get(request.endpoint)
    allowed = getattr(view, "allowed", None)
    if not allowed:
        abort(403)
    if PUBLIC in allowed or DEBTOR in allowed:
        return None
    if API in allowed:
        return _check_api_token()
    if not signed_in:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.role not in allowed:
        abort(403)
    if (not current_user.has_two_factor and two_factor_required(current_user)
            and not getattr(view, "before_two_factor", False)):
        return redirect(url_for("auth.two_factor_enrol"))
    return None


def _check_api_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    creditor = creditor_for_token(db.session, token.strip()) if scheme.lower() == "bearer" else None
    if creditor is None:
        return {"error": "invalid or missing API token"}, 401
    g.api_creditor = creditor
    return None


def creditor_scope() -> int | None:
    """The creditor whose data the current user may see; None for staff (all)."""
    if current_user.is_authenticated and current_user.role == CREDITOR_ROLE:
        return current_user.creditor_id
    return None
