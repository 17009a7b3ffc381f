"""Where each creditor's onboarding stands, and the creditor as a document (``agency
creditor show``): identity, mandate, terms in force and their history, contact verdict."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agency.domain.contract import ContactVerdict, ContractTerms, mandate_verdict
from agency.domain.timezones import local_date
from agency.models import ApiToken, Creditor, CreditorMandate, User
from agency.models.playbook import PlaybookVersion
from agency.services.creditors.mandates import mandate_of, mandates_in_force
from agency.services.creditors.terms import terms_history, terms_in_force_many

# What a creditor still lacks, in the order the agency usually fills it in.
GAPS = ("mandate", "playbook", "segments", "users", "token")


@dataclass(frozen=True)
class Onboarding:
    """A creditor's onboarding: what it lacks, its terms in force, whether it may be worked."""

    creditor: Creditor
    gaps: tuple[str, ...]
    terms: ContractTerms
    mandate: CreditorMandate | None
    contact: ContactVerdict
    users: int
    tokens: int

    @property
    def complete(self) -> bool:
        return not self.gaps


def onboarding(session: Session, creditors: Sequence[Creditor], at: datetime) -> list[Onboarding]:
    """Each creditor's onboarding state at the instant ``at``."""
    ids = [creditor.id for creditor in creditors]
    if not ids:
        return []
    terms = terms_in_force_many(session, ids, at)
    mandates = mandates_in_force(session, ids)
    users = dict(session.execute(select(User.creditor_id, func.count(User.id)).where(
        User.creditor_id.in_(ids), User.active.is_(True)).group_by(User.creditor_id)).all())
    tokens = dict(session.execute(select(ApiToken.creditor_id, func.count(ApiToken.id)).where(
        ApiToken.creditor_id.in_(ids), ApiToken.revoked_at.is_(None))
        .group_by(ApiToken.creditor_id)).all())
    segmented = _segmented_playbooks(session, {t.playbook for t in terms.values() if t.playbook})
    found = []
    for creditor in creditors:
        own = terms[creditor.id]
        gaps = {"mandate": creditor.id not in mandates, "playbook": own.playbook is None,
                "segments": own.playbook in segmented and own.segment_rule is None,
                "users": not users.get(creditor.id), "token": not tokens.get(creditor.id)}
        found.append(Onboarding(
            creditor, tuple(gap for gap in GAPS if gaps[gap]), own, mandates.get(creditor.id),
            mandate_verdict(creditor.jurisdiction, mandate_of(mandates.get(creditor.id))),
            users.get(creditor.id, 0), tokens.get(creditor.id, 0)))
    return found


def _segmented_playbooks(session: Session, names: set[str]) -> set[str]:
    """The names among ``names`` whose latest version distinguishes segments."""
    if not names:
        return set()
    latest = select(PlaybookVersion.name, func.max(PlaybookVersion.version).label("version")) \
        .where(PlaybookVersion.name.in_(sorted(names))).group_by(PlaybookVersion.name).subquery()
    return set(session.scalars(select(PlaybookVersion.name).join(
        latest, (latest.c.name == PlaybookVersion.name) & (latest.c.version == PlaybookVersion.version))
        .where(PlaybookVersion.has_segments.is_(True))))


def creditor_document(session: Session, creditor: Creditor, at: datetime) -> dict:
    """The creditor as ``agency creditor show --json`` prints it (amounts in minor units)."""
    state = onboarding(session, [creditor], at)[0]
    history = terms_history(session, creditor.id)
    return {
        "ok": True, "id": creditor.id, "code": creditor.code, "name": creditor.name,
        "country": creditor.country, "currency": creditor.currency,
        "timezone": creditor.timezone, "locale": creditor.locale, "language": creditor.language,
        "jurisdiction": creditor.jurisdiction, "address": creditor.address,
        "playbook": creditor.playbook_name, "today": local_date(at, creditor.timezone).isoformat(),
        "onboarding": {"complete": state.complete, "missing": list(state.gaps),
                       "users": state.users, "tokens": state.tokens},
        "contact": state.contact.to_dict(),
        "mandate": _mandate(state.mandate),
        "terms": state.terms.to_dict(),
        "terms_history": [{"id": row.id, "effective_from": row.effective_from.isoformat(),
                           "created_by": row.created_by, "created_at": row.created_at.isoformat(),
                           "reason": row.reason} for row in history],
    }


def _mandate(row: CreditorMandate | None) -> dict | None:
    if row is None:
        return None
    return {"id": row.id, "reference": row.reference, "signed_on": row.signed_on.isoformat(),
            "basis": row.basis, "amount_minor": row.amount_minor, "fees": row.fees,
            "remittance_method": row.remittance_method, "remittance_days": row.remittance_days,
            "document": ({"name": row.document_name, "sha256": row.document_sha256,
                          "type": row.document_type} if row.document_path else None),
            "recorded_by": row.created_by, "recorded_at": row.created_at.isoformat()}
