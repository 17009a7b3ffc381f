"""The outbox: every SMS and email, with its status. Links are shown masked: a debtor's or a
partner's link opens a case or a task, and staff never read one (the rows hold placeholders;
older rows are masked by pattern)."""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from agency.access import STAFF, allow
from agency.backoffice import bp
from agency.web.registry import menu_item
from agency.extensions import db
from agency.models import OutboundMessage
from agency.models.message import MESSAGE_STATUSES
from agency.services.links import mask_links
from agency.web.params import OneOf, query

menu_item(80, lambda: _l("Messages"), "backoffice.outbox", STAFF)


@bp.route("/outbox")
@allow(STAFF)
@query(status=OneOf(MESSAGE_STATUSES))
def outbox(args):
    latest = select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(200)
    if args.status:
        latest = latest.where(OutboundMessage.status == args.status)
    rows = db.session.scalars(latest).all()
    return render_template("backoffice/outbox.html", messages=rows, status=args.status,
                           statuses=MESSAGE_STATUSES, mask=mask_links)
