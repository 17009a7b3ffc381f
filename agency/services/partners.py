"""Tasks for external partners (home visit, bailiff, investigator, lawyer, correspondent):
sent by email with a secret link where the partner reports the outcome and uploads a document.

The link's secret is never stored nor shown to staff: the email's body holds a placeholder,
and the sending job derives the secret from the task's random nonce and SECRET_KEY
(``LinkSigner.partner_token``). Only its SHA-256 is kept, to find the task from the link, so a
leaked database does not open tasks; a task is withdrawn by cancelling it, and its link
expires after ``LINK_LIFETIME``.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.labels import french
from agency.domain.actions import UNFINISHED_STATUSES, WORKABLE_STATUSES
from agency.domain.playbook.model import PARTNER_KINDS
from agency.models import Action, Case, Partner, PartnerTask
from agency.models.calls import PARTNER_TASK_OUTCOMES as TASK_OUTCOMES
from agency.services.actions import end_action, entrust
from agency.services.audit import current_scope, record
from agency.services.links import PARTNER_LINK, LinkSigner
from agency.services.messages import queue_message

FAILED_OUTCOMES = ("impossible",)
# What a partner may do for an action of the case: visit, negotiate, serve, locate, file.
PARTNER_ACTION_KINDS = ("visit", "negotiation_meeting", "formal_notice", "investigation",
                        "injunction_file")  # the task's action failed; every other report is its outcome
LINK_LIFETIME = timedelta(days=90)


class PartnerError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SentTask:
    task: PartnerTask
    message_id: int


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_task(session: Session, *, case: Case, partner: Partner, kind: str, instructions: str,
              links: LinkSigner, due_date: date | None = None, action: Action | None = None,
              created_by_id: int | None = None) -> SentTask:
    """Create the task and queue its email; call workers.messages.dispatch([message_id]) after commit."""
    now = current_scope(session).now
    if not partner.active or not partner.email:
        raise PartnerError("this partner is inactive or has no email address")
    if not instructions.strip():
        raise PartnerError("a task needs instructions")
    if action is not None and (action.case_id != case.id or action.status not in WORKABLE_STATUSES):
        raise PartnerError("this action is not open for work on this case")
    nonce = secrets.token_urlsafe(16)
    task = PartnerTask(case_id=case.id, partner_id=partner.id, action_id=action.id if action else None,
                       kind=kind, instructions=instructions.strip(), status="sent",
                       token_hash=_digest(links.partner_token(nonce)), link_nonce=nonce,
                       link_expires_at=now + LINK_LIFETIME, due_date=due_date, created_by_id=created_by_id,
                       sent_at=now)
    session.add(task)
    session.flush()
    message = queue_message(session, channel="email", to=partner.email, subject=_subject(case, kind),
                            body=_body(case, partner, task), case=case, respect_window=False,
                            idempotency_key=f"partner-task-{task.id}")
    task.message_id = message.id
    if action is not None:
        entrust(session, action, partner)
    record(session, verb="partner.task_sent", case=case, changes={
        "task_id": [None, task.id], "partner_id": [None, partner.id], "kind": [None, kind]})
    session.flush()
    return SentTask(task, message.id)


def _mission(kind: str) -> str:
    """The kind of mission, in French (partners read French): "visite à domicile"."""
    name = french("partner_kind", kind)
    return name[0].lower() + name[1:]


def _subject(case: Case, kind: str) -> str:
    return f"Mission {_mission(kind)} - dossier {case.reference}"


def _body(case: Case, partner: Partner, task: PartnerTask) -> str:
    due = f"\nÀ réaliser avant le {task.due_date:%d/%m/%Y}." if task.due_date else ""
    return (f"Bonjour,\n\nNous vous confions une mission ({_mission(task.kind)}) sur le dossier "
            f"{case.reference} (débiteur : {case.debtor.name}).\n\n{task.instructions}{due}\n\n"
            f"Merci de nous rendre compte et de déposer votre document sur ce lien sécurisé :\n{PARTNER_LINK}\n")


def task_for_token(session: Session, token: str, now: datetime) -> PartnerTask | None:
    """The open or reported task behind a link, None if unknown, cancelled or expired."""
    if not token or len(token) > 200:
        return None
    task = session.scalar(select(PartnerTask).where(PartnerTask.token_hash == _digest(token)))
    if task is None or task.status == "cancelled" or task.link_expires_at <= now:
        return None
    return task


def report_task(session: Session, *, task: PartnerTask, outcome: str, report: str,
                document_name: str | None = None, document_path: str | None = None) -> PartnerTask:
    """The partner's report; the task's action, if any, is done with the outcome."""
    now = current_scope(session).now
    if task.status != "sent":
        raise PartnerError("this task has already been reported")
    if outcome not in TASK_OUTCOMES:
        raise PartnerError(f"unknown outcome {outcome}")
    task.status, task.outcome, task.report, task.reported_at = "reported", outcome, report.strip(), now
    task.document_name, task.document_path = document_name, document_path
    case = session.get(Case, task.case_id)
    record(session, verb="partner.task_reported", case=case, reason=report.strip() or None, changes={
        "task_id": [None, task.id], "outcome": [None, outcome], "document": [None, document_name]})
    session.flush()
    action = session.get(Action, task.action_id) if task.action_id is not None else None
    if action is not None and action.status in UNFINISHED_STATUSES:
        end_action(session, action, status="failed" if outcome in FAILED_OUTCOMES else "done",
                   outcome=outcome, note=report.strip() or None)
    return task


def tasks_of_case(session: Session, case: Case) -> list[PartnerTask]:
    return list(session.scalars(select(PartnerTask).where(PartnerTask.case_id == case.id)
                                .order_by(PartnerTask.sent_at.desc(), PartnerTask.id.desc())))


def entrustable_actions(session: Session, case: Case) -> list[Action]:
    """The case's open tasks a partner may carry out (a visit, a notice to serve...)."""
    return list(session.scalars(select(Action).where(
        Action.case_id == case.id, Action.status.in_(WORKABLE_STATUSES),
        Action.kind.in_(PARTNER_ACTION_KINDS), Action.partner_id.is_(None))
        .order_by(Action.due_at, Action.id)))
