"""May the agency contact a creditor's debtors: the one entry point for whatever sends.

``contact_allowed(session, case, channel, at)`` combines the mandate rule (a French
creditor without a recorded mandate: no call, message or letter) with the channels the
creditor's terms in force on that day allow. The message sender calls it at send time;
the engine and the call queue use ``creditor_verdict`` / ``ContactBook`` for many at once.
It says nothing of the debtor's own window, opt-outs or caps: those are the contact rules
(``agency.domain.contact_rules``), checked beside it.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.contract import CHANNELS, ContactVerdict, contact_verdict, mandate_verdict
from agency.domain.timezones import local_date
from agency.models import Case, Creditor
from agency.services.creditors.mandates import mandate_in_force, mandate_of, mandates_in_force
from agency.services.creditors.terms import terms_in_force, terms_in_force_many


def contact_allowed(session: Session, case: Case, channel: str, at: datetime) -> ContactVerdict:
    """May ``case``'s debtor be contacted through ``channel`` (call, sms, email, letter) at
    ``at``, as far as its creditor's mandate and contract say."""
    creditor = case.creditor
    terms = terms_in_force(session, creditor.id, local_date(at, creditor.timezone))
    mandate = mandate_of(mandate_in_force(session, creditor.id))
    return contact_verdict(creditor.jurisdiction, mandate, terms, channel)


def creditor_verdict(session: Session, creditor: Creditor) -> ContactVerdict:
    """The mandate's verdict for a creditor: may its debtors be contacted at all."""
    return mandate_verdict(creditor.jurisdiction, mandate_of(mandate_in_force(session, creditor.id)))


def blocked_creditor_ids(session: Session) -> set[int]:
    """The creditors whose debtors may not be contacted at all (French, no mandate)."""
    rows = session.execute(select(Creditor.id, Creditor.jurisdiction)).all()
    mandates = mandates_in_force(session, [creditor_id for creditor_id, _ in rows])
    return {creditor_id for creditor_id, jurisdiction in rows
            if not mandate_verdict(jurisdiction, mandate_of(mandates.get(creditor_id))).allowed}


class ContactBook:
    """Verdicts of many creditors' cases at one instant (the call queue's page)."""

    def __init__(self, session: Session, at: datetime) -> None:
        self._session, self._at = session, at
        self._verdicts: dict[tuple[int, str], ContactVerdict] = {}

    def load(self, creditor_ids: Iterable[int]) -> None:
        missing = sorted(set(creditor_ids) - {key[0] for key in self._verdicts})
        if not missing:
            return
        terms = terms_in_force_many(self._session, missing, self._at)
        mandates = mandates_in_force(self._session, missing)
        jurisdictions = dict(self._session.execute(
            select(Creditor.id, Creditor.jurisdiction).where(Creditor.id.in_(missing))).all())
        for creditor_id in missing:
            for channel in CHANNELS:
                self._verdicts[(creditor_id, channel)] = contact_verdict(
                    jurisdictions.get(creditor_id), mandate_of(mandates.get(creditor_id)),
                    terms[creditor_id], channel)

    def verdict(self, creditor_id: int, channel: str) -> ContactVerdict:
        self.load([creditor_id])
        return self._verdicts[(creditor_id, channel)]
