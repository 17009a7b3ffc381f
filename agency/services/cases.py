"""Cases: opening one with its claims, finding one, changing its state, reading it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.money import Money
from agency.models import Action, Case, Claim, Creditor, Debtor
from agency.models.case import CLAIM_KINDS, PHASES
from agency.services.actions import cancel_open_actions
from agency.services.audit import current_scope, give_reason
from agency.services.ledger import case_balance, post_entry
from agency.services.paging import page_of
from agency.services.references import allocate_references


class CaseError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ClaimInput:
    reference: str
    amount: Money
    kind: str = "invoice"
    issue_date: date | None = None
    deposit_date: date | None = None
    due_date: date | None = None
    extra: dict | None = None


def open_case(session: Session, *, creditor: Creditor, debtor: Debtor, external_ref: str,
              claims: list[ClaimInput], segment: str | None = None) -> Case:
    """Open a case with its claims, each booked as a claim entry in the ledger."""
    scope = current_scope(session)
    (reference,) = allocate_references(session, scope.now)
    case = Case(reference=reference, creditor=creditor, debtor=debtor,
                external_ref=external_ref, currency=creditor.currency, phase="amicable",
                status="open", segment=segment, opened_at=scope.now)
    session.add(case)
    session.flush()
    for claim_input in claims:
        add_claim(session, case=case, claim=claim_input)
    return case


def add_claim(session: Session, *, case: Case, claim: ClaimInput) -> Claim:
    if claim.kind not in CLAIM_KINDS:
        raise CaseError(f"unknown claim kind: {claim.kind}")
    if claim.amount.minor <= 0:
        raise CaseError("a claim amount must be positive")
    if claim.issue_date and claim.due_date and claim.due_date < claim.issue_date:
        raise CaseError("the due date is before the issue date")
    scope = current_scope(session)
    row = Claim(case=case, kind=claim.kind, reference=claim.reference,
                amount_minor=claim.amount.minor, currency=claim.amount.currency,
                issue_date=claim.issue_date, deposit_date=claim.deposit_date,
                due_date=claim.due_date, extra=claim.extra or {}, created_at=scope.now)
    session.add(row)
    session.flush()
    post_entry(session, case=case, kind="claim", amount=claim.amount, claim_id=row.id,
               value_date=claim.issue_date or claim.deposit_date,
               description=f"{claim.kind} {claim.reference}")
    return row


def find_case(session: Session, ref: str, creditor_id: int | None = None) -> Case | None:
    """A case by our reference or by CREDITOR_CODE/EXTERNAL_REF, optionally within a creditor."""
    query = select(Case)  # its claims are read a page at a time (case_queries.claims_page)
    if "/" in ref and not ref.startswith("RC-"):
        code, external_ref = ref.split("/", 1)
        query = query.join(Creditor).where(Creditor.code == code, Case.external_ref == external_ref)
    else:
        query = query.where(Case.reference == ref)
    if creditor_id is not None:
        query = query.where(Case.creditor_id == creditor_id)
    return session.scalar(query)


def change_phase(session: Session, case: Case, phase: str, reason: str) -> None:
    if phase not in PHASES:
        raise CaseError(f"unknown phase: {phase}")
    if not reason:
        raise CaseError("a phase change needs a reason")
    give_reason(session, reason)
    case.phase = phase
    if phase == "closed":
        case.status = "closed"
        case.closed_at = current_scope(session).now
    session.flush()
    if phase == "closed":
        cancel_open_actions(session, [case.id], outcome="case_closed", reason=reason)


def hold_case(session: Session, case: Case, *, until: date, reason: str, approved_by: str) -> None:
    """Hold a case until a date: nothing fires meanwhile. Needs a reason and an approver."""
    if not reason or not approved_by:
        raise CaseError("a hold needs a reason and the name of who approved it")
    if until <= current_scope(session).now.date():
        raise CaseError("a hold must end after today")
    give_reason(session, reason)
    case.hold_until, case.hold_reason, case.hold_approved_by = until, reason, approved_by
    session.flush()


def case_document(session: Session, case: Case, *, page: int | None = None,
                  per_page: int = 100) -> dict:
    """The case as the CLI and the API print it (docs/cli.md keeps this stable): with every
    claim and action, or (``page``) the page-th ``per_page`` of each, and ``pagination``."""
    debtor = case.debtor
    claims = select(Claim).where(Claim.case_id == case.id).order_by(Claim.id)
    actions = select(Action).where(Action.case_id == case.id).order_by(Action.due_at, Action.id)
    pagination = None
    if page is not None:
        claim_page = page_of(session, claims, page, per_page)
        action_page = page_of(session, actions, page, per_page)
        claims, actions = claim_page.items, action_page.items
        pagination = {"claims": claim_page.as_dict(), "actions": action_page.as_dict()}
    else:
        claims, actions = session.scalars(claims), session.scalars(actions)
    document = {
        "reference": case.reference,
        "external_ref": case.external_ref,
        "creditor": {"code": case.creditor.code, "name": case.creditor.name},
        "debtor": debtor_document(debtor),
        "claims": [claim_document(c) for c in claims],
        "balance_minor": case_balance(session, case).minor,
        "currency": case.currency,
        "phase": case.phase,
        "status": case.status,
        "segment": case.segment,
        "team_id": case.team_id,
        "agent_id": case.agent_id,
        "hold": ({"until": case.hold_until.isoformat(), "reason": case.hold_reason,
                  "approved_by": case.hold_approved_by} if case.hold_until else None),
        "opened_at": _iso(case.opened_at),
        "actions": [action_document(a) for a in actions],
    }
    if pagination is not None:
        document["pagination"] = pagination
    return document


def debtor_document(debtor: Debtor) -> dict:
    return {
        "id": debtor.id, "kind": debtor.kind, "name": debtor.name,
        "national_id": debtor.national_id, "company_id": debtor.company_id,
        "country": debtor.country, "timezone": debtor.timezone, "language": debtor.language,
        "phones": [{"e164": p.e164, "status": p.status} for p in debtor.phones],
        "emails": [{"email": e.email, "status": e.status} for e in debtor.emails],
        "addresses": [{"line1": a.line1, "postal_code": a.postal_code, "city": a.city,
                       "country": a.country, "status": a.status} for a in debtor.addresses],
    }


def claim_document(claim: Claim) -> dict:
    return {
        "id": claim.id, "kind": claim.kind, "reference": claim.reference,
        "amount_minor": claim.amount_minor, "currency": claim.currency,
        "issue_date": _iso(claim.issue_date), "deposit_date": _iso(claim.deposit_date),
        "due_date": _iso(claim.due_date), "extra": claim.extra,
    }


def action_document(action: Action) -> dict:
    return {
        "id": action.id, "kind": action.kind, "template": action.template,
        "step": action.step_code, "due_at": _iso(action.due_at), "status": action.status,
        "approval": action.approval, "assignee_role": action.assignee_role,
        "assignee_id": action.assignee_id, "claim_ids": action.claim_ids,
        # no note: staff's free text stays in the back-office (the API prints this too)
        "outcome": action.outcome, "done_at": _iso(action.done_at),
    }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
