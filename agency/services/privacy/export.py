"""Everything held about a debtor, for its access request (GDPR art. 15, law 09-08, CDP):
identity, contact points, cases, claims, ledger, actions, calls, messages (links masked),
promises, plans, disputes, partner tasks and the reads of its data. Each export is recorded
in the access log (channel ``export``) and in the audit trail (``privacy.exported``)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.models import (Action, CallLog, Case, Debtor, Dispute, InstalmentPlan, LedgerEntry,
                           OutboundMessage, PartnerTask, PaymentPromise, PersonalDataAccess, User)
from agency.security import CREDITOR_ROLE
from agency.services.audit import current_scope, record
from agency.services.cases import action_document, claim_document, debtor_document
from agency.services.links import mask_links
from agency.services.privacy.access import accesses_of_debtor, log_access

EXPORT_FORMATS = ("json", "pdf")


def export_debtor(session: Session, debtor: Debtor, *, fmt: str, route: str) -> dict:
    """The debtor's record, with the export logged and audited."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt}")
    document = debtor_record(session, debtor)
    log_access(session, "export", route=route, debtor_ids=[debtor.id])
    record(session, verb="privacy.exported", debtor_id=debtor.id,
           changes={"format": [None, fmt], "cases": [None, len(document["cases"])]},
           reason="access request")
    return document


def debtor_record(session: Session, debtor: Debtor) -> dict:
    """Everything held about the debtor, as plain JSON values."""
    cases = list(session.scalars(select(Case).where(Case.debtor_id == debtor.id).order_by(Case.id)))
    return {
        "generated_at": _iso(current_scope(session).now),
        "debtor": debtor_document(debtor),
        "cases": [_case(session, case) for case in cases],
        "accesses": _accesses(session, debtor.id),
    }


def _case(session: Session, case: Case) -> dict:
    def rows(model, *order):
        return session.scalars(select(model).where(model.case_id == case.id).order_by(*order, model.id))
    return {
        "reference": case.reference, "external_ref": case.external_ref,
        "creditor": {"code": case.creditor.code, "name": case.creditor.name},
        "phase": case.phase, "status": case.status, "currency": case.currency,
        "balance_minor": case.balance_minor, "opened_at": _iso(case.opened_at),
        "closed_at": _iso(case.closed_at), "hold_reason": case.hold_reason,
        "claims": [claim_document(c) for c in case.claims],
        "ledger": [{"kind": e.kind, "amount_minor": e.amount_minor, "currency": e.currency,
                    "value_date": _iso(e.value_date), "booked_at": _iso(e.booked_at),
                    "description": e.description} for e in rows(LedgerEntry, LedgerEntry.booked_at)],
        "actions": [action_document(a) | {"note": a.note} for a in rows(Action, Action.due_at)],
        "calls": [{"at": _iso(c.at), "outcome": c.outcome, "reached": c.reached, "note": c.note}
                  for c in rows(CallLog, CallLog.at)],
        # a message to someone else (a partner's task) is about the debtor, its recipient is not
        "messages": [{"channel": m.channel, "to": m.to_address if m.debtor_id == case.debtor_id else None,
                      "subject": mask_links(m.subject),
                      "body": mask_links(m.body), "status": m.status, "created_at": _iso(m.created_at),
                      "sent_at": _iso(m.sent_at)} for m in rows(OutboundMessage, OutboundMessage.created_at)],
        "promises": [{"promised_date": _iso(p.promised_date), "amount_minor": p.amount_minor,
                      "currency": p.currency, "status": p.status, "note": p.note}
                     for p in rows(PaymentPromise, PaymentPromise.created_at)],
        "plans": [{"instalments": p.instalments, "total_minor": p.total_minor, "currency": p.currency,
                   "first_due": _iso(p.first_due), "status": p.status, "signed_at": _iso(p.signed_at)}
                  for p in rows(InstalmentPlan, InstalmentPlan.created_at)],
        "disputes": [{"status": d.status, "reason": d.reason, "raised_by": d.raised_by,
                      "created_at": _iso(d.created_at), "resolution": d.resolution}
                     for d in rows(Dispute, Dispute.created_at)],
        "partner_tasks": [{"kind": t.kind, "status": t.status, "instructions": t.instructions,
                           "outcome": t.outcome, "report": t.report, "sent_at": _iso(t.sent_at)}
                          for t in rows(PartnerTask, PartnerTask.sent_at)],
    }


def _accesses(session: Session, debtor_id: int) -> list[dict]:
    """Who read the data, by kind of recipient: staff names are not the debtor's data."""
    entries = accesses_of_debtor(session, debtor_id)
    roles = dict(session.execute(select(User.id, User.role).where(
        User.id.in_({e.actor_id for e in entries if e.actor_id is not None}))).all())
    return [{"at": _iso(e.at), "channel": e.channel, "by": _recipient(e, roles)} for e in entries]


def _recipient(entry: PersonalDataAccess, roles: dict[int, str]) -> str:
    if entry.actor_id is not None:
        return "creditor" if roles.get(entry.actor_id) == CREDITOR_ROLE else "agency"
    prefix = entry.actor_label.partition(":")[0]
    return {"api": "creditor", "debtor": "debtor"}.get(prefix, "agency")


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
