"""Queueing and sending SMS and email, at most once, inside the debtor's rules.

A message is a row first (``queue_message``); a job then ``claim_for_sending``
(window and opt-out re-checked, status queued -> sending, committed), fills its links in
(``outgoing``: the row holds placeholders, never a signed link), calls the provider, and
``mark_sent``. A worker killed between the claim and the mark leaves the
row 'sending': it is never sent again automatically but turns 'unknown' for a person
to check (``expire_stale_claims``), so nothing is ever sent twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agency.domain.contact_rules import DEFAULT_POLICY, message_verdict
from agency.models import Case, Debtor, DebtorEmail, DebtorPhone, OutboundMessage, PartnerTask
from agency.models.message import MESSAGE_CHANNELS as CHANNELS
from agency.services.audit import current_scope, record
from agency.services.links import CASE_LINK, OPT_OUT_LINK, PARTNER_LINK, LinkSigner

STALE_CLAIM = timedelta(minutes=15)


class MessageError(ValueError):
    pass


def queue_message(session: Session, *, channel: str, to: str, body: str,
                  subject: str | None = None, case=None, debtor: Debtor | None = None,
                  action_id: int | None = None, idempotency_key: str | None = None,
                  respect_window: bool = True) -> OutboundMessage:
    """A message to send; a debtor's carries its opt-out, and an opted-out address is never used.

    ``body`` may hold ``CASE_LINK`` or ``PARTNER_LINK``: the link is signed when it is sent."""
    if channel not in CHANNELS:
        raise MessageError(f"unknown channel {channel}")
    if idempotency_key:
        existing = session.scalar(select(OutboundMessage).where(
            OutboundMessage.idempotency_key == idempotency_key))
        if existing is not None:
            return existing
    scope = current_scope(session)
    message = OutboundMessage(
        channel=channel, to_address=to, subject=subject, body=body, case_id=case.id if case else None,
        debtor_id=debtor.id if debtor else None, action_id=action_id, respect_window=respect_window,
        zone=debtor.timezone if debtor else None, country=debtor.country if debtor else None,
        idempotency_key=idempotency_key, created_at=scope.now, status="queued")
    if debtor is not None:
        message.body = with_opt_out(channel, body, OPT_OUT_LINK)
        if contact_status(session, debtor.id, channel, to) in ("opted_out", "wrong", "returned"):
            message.status, message.last_error = "cancelled", "address opted out or wrong"
    session.add(message)
    session.flush()
    if case is not None:
        record(session, verb=f"message.{message.status}", case=case,
               changes={"channel": [None, channel], "to": [None, to], "message_id": [None, message.id]})
    return message


def with_opt_out(channel: str, body: str, url: str) -> str:
    if channel == "sms":
        return f"{body}\nSTOP : {url}"
    return f"{body}\n\n--\nPour ne plus recevoir nos messages à cette adresse : {url}"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What leaves the machine: the body with its links signed now, and the mail headers."""
    body: str
    headers: dict[str, str]


def outgoing(session: Session, message: OutboundMessage, links: LinkSigner) -> Outgoing:
    """Fill the message's link placeholders, in memory only; a debtor's email gets the
    one-click unsubscribe headers of RFC 8058 with the same opt-out link."""
    body, headers = message.body, {}
    if message.debtor_id is not None:
        url = links.opt_out_url(message.channel, message.to_address, message.debtor_id)
        body = body.replace(OPT_OUT_LINK, url)
        if message.channel == "email":
            headers = {"List-Unsubscribe": f"<{url}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    if CASE_LINK in body and message.case_id is not None:
        case = session.get(Case, message.case_id)
        body = body.replace(CASE_LINK, links.case_url(case.id, case.reference))
    if PARTNER_LINK in body:
        task = session.scalar(select(PartnerTask).where(PartnerTask.message_id == message.id))
        if task is None or not task.link_nonce:
            raise MessageError("a partner link without its task")
        body = body.replace(PARTNER_LINK, links.partner_url(task.link_nonce))
    return Outgoing(body, headers)


def contact_status(session: Session, debtor_id: int, channel: str, address: str) -> str | None:
    if channel == "sms":
        query = select(DebtorPhone.status).where(DebtorPhone.debtor_id == debtor_id,
                                                 DebtorPhone.e164 == address)
    else:
        query = select(DebtorEmail.status).where(DebtorEmail.debtor_id == debtor_id,
                                                 DebtorEmail.email == address.lower())
    return session.scalar(query)


def claim_for_sending(session: Session, message_id: int, *, now: datetime) -> OutboundMessage | None:
    """Queued -> sending, if it is due and allowed now; else defer it or leave it."""
    message = session.get(OutboundMessage, message_id)
    if message is None or message.status != "queued":
        return None
    if message.not_before is not None and message.not_before > now:
        return None
    if message.debtor_id is not None and contact_status(
            session, message.debtor_id, message.channel, message.to_address) == "opted_out":
        message.status, message.last_error = "cancelled", "opted out before sending"
        return None
    if message.respect_window and message.zone:
        verdict = message_verdict(now, message.zone, message.country or "", DEFAULT_POLICY)
        if not verdict.allowed:
            message.not_before = verdict.next_allowed_at
            return None
    claimed = session.execute(
        update(OutboundMessage).where(OutboundMessage.id == message_id,
                                      OutboundMessage.status == "queued")
        .values(status="sending", claimed_at=now, attempts=OutboundMessage.attempts + 1)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return None  # another worker took it
    session.refresh(message)
    return message


def mark_sent(session: Session, message: OutboundMessage, *, provider: str, provider_id: str,
              now: datetime) -> None:
    message.status, message.provider, message.provider_message_id = "sent", provider, provider_id
    message.sent_at = now


def release_for_retry(session: Session, message: OutboundMessage, error: str) -> None:
    """The provider failed before accepting it: queued again, for RQ's retry."""
    message.status, message.last_error = "queued", error[:2000]


def mark_failed(session: Session, message: OutboundMessage, error: str) -> None:
    message.status, message.last_error = "failed", error[:2000]


def due_message_ids(session: Session, *, now: datetime, limit: int = 1000) -> list[int]:
    return list(session.scalars(
        select(OutboundMessage.id).where(
            OutboundMessage.status == "queued",
            (OutboundMessage.not_before.is_(None)) | (OutboundMessage.not_before <= now))
        .order_by(OutboundMessage.id).limit(limit)))


def expire_stale_claims(session: Session, *, now: datetime) -> int:
    """Claims older than STALE_CLAIM (a worker died mid-send) become 'unknown', never resent."""
    result = session.execute(
        update(OutboundMessage).where(OutboundMessage.status == "sending",
                                      OutboundMessage.claimed_at < now - STALE_CLAIM)
        .values(status="unknown", last_error="worker stopped while sending: check before resending")
        .execution_options(synchronize_session=False))
    return result.rowcount


def opt_out(session: Session, *, debtor_id: int, channel: str, address: str) -> bool:
    """The debtor used its opt-out: that address or number is never used again."""
    scope = current_scope(session)
    model, column = (DebtorPhone, DebtorPhone.e164) if channel == "sms" else (DebtorEmail, DebtorEmail.email)
    key = address if channel == "sms" else address.lower()
    contact = session.scalar(select(model).where(model.debtor_id == debtor_id, column == key))
    if contact is None:
        return False
    contact.status, contact.status_changed_at = "opted_out", scope.now
    session.execute(update(OutboundMessage).where(
        OutboundMessage.debtor_id == debtor_id, OutboundMessage.to_address == address,
        OutboundMessage.status == "queued").values(status="cancelled", last_error="opted out")
        .execution_options(synchronize_session=False))
    record(session, verb="contact.opted_out", debtor_id=debtor_id,
           changes={"channel": [None, channel], "address": [None, address]})
    return True
