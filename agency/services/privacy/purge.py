"""The purge: a debtor whose last case has been closed longer than its retention period
(agency.domain.retention) is anonymised. Its identity and contact points are erased, free text
about it cleared, the audit trail's personal values redacted through the sanctioned path; the
ledger's amounts and every audit row stay. Each purge is recorded (``privacy_purge`` row and a
``privacy.purged`` event); a dry run lists the same inventory and changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import String, and_, case, cast, delete, exists, false, func, select, update
from sqlalchemy.orm import Session

from agency.domain.names import name_key
from agency.domain.retention import RetentionPolicy, jurisdiction_of, parse_overrides
from agency.models import (Action, CallLog, Case, Claim, Creditor, Debtor, DebtorAddress, DebtorEmail,
                           DebtorPhone, Dispute, OutboundMessage, PartnerTask, PaymentPromise, PrivacyPurge)
from agency.models.playbook import EngineHold
from agency.services.audit import current_scope, record
from agency.services.privacy.redaction import REDACTED, redact_audit_trail, redactable_events


@dataclass(frozen=True, slots=True)
class DuePurge:
    debtor_id: int
    cases: tuple[tuple[int, str], ...]  # (id, reference)
    last_closed_at: datetime
    keep_until: datetime


@dataclass(slots=True)
class PurgeOutcome:
    due: DuePurge
    erased: dict[str, int]
    documents: list[str] = field(default_factory=list)  # files to remove once committed

    def as_dict(self) -> dict:
        return {"debtor_id": self.due.debtor_id, "cases": [ref for _id, ref in self.due.cases],
                "last_closed_at": self.due.last_closed_at.isoformat(),
                "kept_until": self.due.keep_until.isoformat(), "erased": self.erased}


def policy_from_settings(config) -> RetentionPolicy:
    """The retention policy the operator configured (RETENTION_MARGIN_DAYS, RETENTION_YEARS)."""
    return RetentionPolicy(margin_days=int(config.get("RETENTION_MARGIN_DAYS", 90)),
                           overrides=parse_overrides(config.get("RETENTION_YEARS", "")))


def purge(session: Session, policy: RetentionPolicy, *, dry_run: bool,
          limit: int = 500) -> list[PurgeOutcome]:
    """Anonymise (or, dry, inventory) the debtors whose retention ended at the scope's instant."""
    outcomes = []
    for due in due_for_purge(session, policy, limit=limit):
        outcomes.append(PurgeOutcome(due, inventory(session, due)) if dry_run else purge_debtor(session, due))
    return outcomes


def due_for_purge(session: Session, policy: RetentionPolicy, *, limit: int = 500) -> list[DuePurge]:
    """Debtors not purged yet whose every case is closed and whose retention has ended."""
    now = current_scope(session).now
    # No period is shorter than the shortest one: a cheap filter before the exact rule.
    closed_before = now - timedelta(days=365 * policy.shortest_years() + policy.margin_days)
    still_open = func.sum(case((Case.status == "open", 1), (Case.closed_at.is_(None), 1), else_=0))
    candidates = (select(Case.debtor_id)
                  .where(~exists().where(PrivacyPurge.debtor_id == Case.debtor_id))
                  .group_by(Case.debtor_id)
                  .having(still_open == 0, func.max(Case.closed_at) <= closed_before))
    rows = session.execute(
        select(Case.debtor_id, Case.id, Case.reference, Case.closed_at, Creditor.jurisdiction,
               Creditor.country, Debtor.kind)
        .join(Creditor, Creditor.id == Case.creditor_id).join(Debtor, Debtor.id == Case.debtor_id)
        .where(Case.debtor_id.in_(candidates)).order_by(Case.debtor_id, Case.id)).all()
    by_debtor: dict[int, list] = {}
    for row in rows:
        by_debtor.setdefault(row.debtor_id, []).append(row)
    due = []
    for debtor_id, cases in by_debtor.items():
        keep_until = policy.debtor_keep_until(
            [(r.closed_at, jurisdiction_of(r.jurisdiction, r.country)) for r in cases], cases[0].kind)
        if keep_until is not None and keep_until <= now:
            due.append(DuePurge(debtor_id, tuple((r.id, r.reference) for r in cases),
                                max(r.closed_at for r in cases), keep_until))
            if len(due) >= limit:
                break
    return due


def _erasures(debtor_id: int, case_ids: list[int]) -> list[tuple[str, type, object, dict | None]]:
    """(what, table, which rows, new values; None deletes them), in the order they run."""
    def of_cases(column):
        return column.in_(case_ids) if case_ids else false()
    return [
        ("calls", CallLog, CallLog.debtor_id == debtor_id, {"note": None, "phone_id": None}),
        ("phones", DebtorPhone, DebtorPhone.debtor_id == debtor_id, None),
        ("emails", DebtorEmail, DebtorEmail.debtor_id == debtor_id, None),
        ("addresses", DebtorAddress, DebtorAddress.debtor_id == debtor_id, None),
        ("messages_to_debtor", OutboundMessage, OutboundMessage.debtor_id == debtor_id,
         {"to_address": REDACTED, "subject": None, "body": REDACTED}),
        ("messages_about_cases", OutboundMessage,
         and_(of_cases(OutboundMessage.case_id), OutboundMessage.debtor_id.is_(None)),
         {"subject": None, "body": REDACTED}),
        ("action_notes", Action, and_(of_cases(Action.case_id), Action.note.is_not(None)), {"note": None}),
        ("promise_notes", PaymentPromise, and_(of_cases(PaymentPromise.case_id), PaymentPromise.note.is_not(None)),
         {"note": None}),
        ("disputes", Dispute, of_cases(Dispute.case_id), {"reason": REDACTED, "resolution": None}),
        ("partner_tasks", PartnerTask, of_cases(PartnerTask.case_id),
         {"instructions": REDACTED, "report": None, "document_name": None, "document_path": None}),
        ("claim_details", Claim, of_cases(Claim.case_id), {"extra": {}}),
        # intake's keys may hold the debtor's normalised name or ids (domain/intake/identity)
        ("case_keys", Case, and_(of_cases(Case.id), Case.intake_key.is_not(None)),
         {"intake_key": "purged:" + cast(Case.id, String)}),
        ("claim_keys", Claim, and_(of_cases(Claim.case_id), Claim.intake_key.is_not(None)),
         {"intake_key": "purged:" + cast(Claim.id, String)}),
        ("holds", EngineHold, (EngineHold.debtor_id == debtor_id) | of_cases(EngineHold.case_id),
         {"reason": REDACTED}),
    ]


def inventory(session: Session, due: DuePurge) -> dict[str, int]:
    """What the purge of this debtor erases: rows per kind (the dry run's answer)."""
    case_ids = [case_id for case_id, _ref in due.cases]
    counts = {"identity": 1}
    for what, model, which, _values in _erasures(due.debtor_id, case_ids):
        counts[what] = counts.get(what, 0) + session.scalar(select(func.count()).select_from(model).where(which))
    counts["case_hold_reasons"] = session.scalar(select(func.count(Case.id)).where(
        Case.id.in_(case_ids), Case.hold_reason.is_not(None))) if case_ids else 0
    counts["audit_events"] = redactable_events(session, debtor_id=due.debtor_id, case_ids=case_ids)
    return counts


def purge_debtor(session: Session, due: DuePurge) -> PurgeOutcome:
    """Anonymise one debtor, record it, and return what was erased."""
    scope = current_scope(session)
    case_ids = [case_id for case_id, _ref in due.cases]
    session.flush()
    documents = [path for path in session.scalars(select(PartnerTask.document_path).where(
        PartnerTask.case_id.in_(case_ids), PartnerTask.document_path.is_not(None)))] if case_ids else []
    erased = {"identity": 1}
    for what, model, which, values in _erasures(due.debtor_id, case_ids):
        statement = delete(model) if values is None else update(model).values(**values)
        result = session.execute(statement.where(which).execution_options(synchronize_session=False))
        erased[what] = erased.get(what, 0) + result.rowcount
    session.expire_all()
    debtor = session.get(Debtor, due.debtor_id)
    debtor.name = f"Débiteur anonymisé #{debtor.id}"
    debtor.name_key = name_key(debtor.name)
    debtor.national_id = debtor.company_id = None
    held = list(session.scalars(select(Case).where(Case.id.in_(case_ids), Case.hold_reason.is_not(None))))
    for held_case in held:
        held_case.hold_reason = None  # audited as a case change, whose old value is redacted next
    erased["case_hold_reasons"] = len(held)
    erased["audit_events"] = redact_audit_trail(session, debtor_id=due.debtor_id, case_ids=case_ids)
    record(session, verb="privacy.purged", debtor_id=due.debtor_id,
           changes={"erased": [None, erased], "kept_until": [None, due.keep_until.isoformat()]})
    session.add(PrivacyPurge(at=scope.now, debtor_id=due.debtor_id, actor_label=scope.actor.label,
                             last_closed_at=due.last_closed_at, kept_until=due.keep_until, erased=erased))
    session.flush()
    return PurgeOutcome(due, erased, documents)


def remove_documents(paths: list[str]) -> None:
    """After the purge's commit: the partners' documents of the purged cases leave the disk."""
    for path in paths:
        Path(path).unlink(missing_ok=True)
