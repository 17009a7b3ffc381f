"""Jobs that send SMS and email: each claims its row, sends once, records the result."""
from __future__ import annotations

from flask import current_app

from agency.domain.timezones import now_utc, parse_instant
from agency.extensions import db
from agency.oplog import operation
from agency.providers import PermanentError, TransientError, sender_for
from agency.services import messages
from agency.services.links import signer_from_config
from workers.queues import enqueue, job, job_app_context


@job(queue="default", timeout=120)
def send_message(message_id: int) -> str:
    """Send one message if it is still due and allowed; at most once, whatever happens."""
    with job_app_context():
        session = db.session
        message = messages.claim_for_sending(session, message_id, now=now_utc())
        session.commit()  # the claim is durable before anything leaves the machine
        if message is None:
            return "not sent"
        sender = sender_for(message.channel, current_app.config)
        with operation("messages.send", message_id=message.id, channel=message.channel,
                       provider=sender.name) as sending:
            try:
                # links are signed now, in memory: the row keeps its placeholders
                delivered = messages.outgoing(session, message, signer_from_config(current_app.config))
                provider_id = sender.send(to=message.to_address, subject=message.subject,
                                          body=delivered.body, headers=delivered.headers,
                                          reference=str(message.id))
            except TransientError as exc:
                messages.release_for_retry(session, message, str(exc))
                session.commit()
                raise  # RQ retries it; logged with its traceback by the operation
            except (PermanentError, messages.MessageError) as exc:
                messages.mark_failed(session, message, str(exc))
                session.commit()
                sending.failed(exc)
                sending.add(result="failed")
                return "failed"
            messages.mark_sent(session, message, provider=sender.name, provider_id=provider_id,
                               now=now_utc())
            session.commit()
            sending.add(result="sent")
        return "sent"


def dispatch(message_ids: list[int]) -> None:
    """After the commit that queued them: one send job per message."""
    for message_id in message_ids:
        enqueue(send_message, message_id, job_id=f"message-{message_id}")


@job(queue="default", timeout=600)
def send_due_messages(slot: str | None = None) -> int:
    """Periodic: send what was deferred to its window, flag claims a dead worker left."""
    with job_app_context():
        now = parse_instant(slot) if slot else now_utc()
        now = max(now, now_utc())
        session = db.session
        messages.expire_stale_claims(session, now=now)
        ids = messages.due_message_ids(session, now=now)
        session.commit()
    dispatch(ids)
    return len(ids)
