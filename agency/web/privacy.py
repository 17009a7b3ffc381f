"""Every audience's pages log the personal data they show, at their edge, the same way."""
from __future__ import annotations

from collections.abc import Iterable

from flask import after_this_request, request
from flask_login import current_user

from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Case
from agency.services.audit import Actor, audit_scope
from agency.services.privacy.access import log_access


def record_reads(channel: str, *, cases: Iterable[Case] = (), debtor_ids: Iterable[int] = (),
                 reads: Iterable[tuple[int, int | None]] = (), actor: Actor | None = None) -> None:
    """Log that the requester (the signed-in user unless ``actor``) read these debtors' data;
    committed once the response is built, so the page's rows are not reloaded."""
    who = actor or Actor.of_user(current_user)
    with audit_scope(db.session, who, now_utc()):
        log_access(db.session, channel, route=request.endpoint or request.path, cases=cases,
                   debtor_ids=debtor_ids, reads=reads)

    @after_this_request
    def _commit(response):
        db.session.commit()
        return response
