"""The team lead's dashboard: figures per agent and team, per day or week, with a chart."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from agency.access import MANAGERS, allow
from agency.backoffice import bp
from agency.web.registry import menu_item
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Team
from agency.services.case_standing import STRAYS
from agency.services.calls.supervision import Dashboard, dashboard, period
from agency.web.params import Day, Id, OneOf, query

menu_item(70, lambda: _l("Supervision"), "backoffice.supervision", MANAGERS)


@bp.route("/supervision")
@allow(MANAGERS)
@query(period=OneOf(("day", "week"), "day"), date=Day(), team=Id())
def supervision(args):
    now = now_utc()
    span, day = args.period, args.date or now.date()
    team_id = _team_id(args.team)
    start, end = period(day, span)
    board = dashboard(db.session, team_id=team_id, start=start, end=end, now=now)
    teams = db.session.query(Team).order_by(Team.name).all()
    return render_template("supervision/dashboard.html", board=board, span=span, day=day, teams=teams,
                           team_id=team_id, chart=_chart(board), previous=start - timedelta(days=1),
                           strays=STRAYS)


def _team_id(requested: int | None) -> int | None:
    """A team lead sees its own team; admin and direction choose (all by default)."""
    if current_user.role == "team_lead":
        return current_user.team_id
    return requested


def _chart(board: Dashboard) -> dict | None:
    """Calls per day of the team, drawn as inline SVG bars by the template (no script, no asset)."""
    if not board.totals.calls:
        return None
    days = [board.start + timedelta(days=n) for n in range((board.end - board.start).days)]
    counts = [board.totals.calls_by_day.get(d, 0) for d in days]
    top = max(counts) or 1
    return {"bars": [(d.strftime("%d/%m"), c, round(120 * c / top)) for d, c in zip(days, counts)],
            "width": 60 * len(days)}
