"""A new segmentation rule or playbook reaches the creditor's open cases, once: each case
re-segmented by intake's computation, moved to the playbook's version (steps already
recorded stay), due at the next pass, one audit event per case changed."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.contract import ContractTerms
from agency.models import AuditEvent, Case, Creditor
from agency.models.playbook import PlaybookVersion
from agency.services.audit import current_scope
from agency.services.creditors.terms import creditor_today
from agency.services.engine.playbooks import find_version
from agency.services.engine.sweep import reenrol_creditor
from agency.services.intake.segments import resegment_open_cases
from agency.services.sql import insert_rows


@dataclass(frozen=True)
class Resegmented:
    """What changed among the open cases: cases with any change, of segment, of playbook."""

    cases_changed: int
    segments_changed: int
    reenrolled: int

    def to_dict(self) -> dict[str, int]:
        return {"cases_changed": self.cases_changed, "segments_changed": self.segments_changed,
                "reenrolled": self.reenrolled}


def apply_to_open_cases(session: Session, creditor: Creditor, terms: ContractTerms, *,
                        reason: str | None) -> Resegmented:
    """Re-segment and re-enrol the creditor's open cases under ``terms``."""
    scope = current_scope(session)
    version = find_version(session, terms.playbook) if terms.playbook else None
    segments = resegment_open_cases(session, creditor_id=creditor.id, currency=creditor.currency,
                                    rule=terms.segment_rule, today=creditor_today(session, creditor))
    moved = reenrol_creditor(session, creditor, version.id if version else None, now=scope.now)
    labels = _version_labels(session, set(moved.values()) | ({version.id} if version else set()))
    changes: dict[int, dict] = {c.case_id: {"segment": [c.old, c.new]} for c in segments}
    for case_id, old in moved.items():
        changes.setdefault(case_id, {})["playbook"] = [
            labels.get(old), labels.get(version.id) if version else None]
    debtors = dict(session.execute(select(Case.id, Case.debtor_id).where(
        Case.creditor_id == creditor.id, Case.status == "open")).all())
    insert_rows(session, AuditEvent.__table__, [
        {"at": scope.now, "case_id": case_id, "debtor_id": debtors.get(case_id),
         "creditor_id": creditor.id, "actor_id": scope.actor.user_id,
         "actor_label": scope.actor.label, "verb": "case.changed", "changes": change,
         "reason": reason} for case_id, change in sorted(changes.items())])
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Case) and obj.creditor_id == creditor.id:
            session.expire(obj, ["segment"])  # written in SQL above
    return Resegmented(len(changes), len(segments), len(moved))


def _version_labels(session: Session, ids: set) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: f"{row.name} v{row.version}" for row in session.scalars(
        select(PlaybookVersion).where(PlaybookVersion.id.in_(sorted(ids))))}
