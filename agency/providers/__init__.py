"""Senders behind one interface: ``send(message) -> provider message id``.

Without provider settings (the demo), SMS and email go to the local outbox: the delivered
text in files under OUTBOX_DIR, the rows (links masked) read by staff at /outbox. Errors: ``TransientError`` is retried, ``PermanentError`` not.
"""
from __future__ import annotations

from agency.providers.base import PermanentError, Sender, TransientError
from agency.providers.outbox import LocalOutbox
from agency.providers.smtp_mail import SmtpMail
from agency.providers.twilio_sms import TwilioSms

__all__ = ["PermanentError", "Sender", "TransientError", "sender_for"]


def sender_for(channel: str, config: dict) -> Sender:
    """The configured sender of a channel; the local outbox when none is configured."""
    if channel == "sms" and config.get("TWILIO_ACCOUNT_SID"):
        return TwilioSms(config)
    if channel == "email" and config.get("SMTP_HOST"):
        return SmtpMail(config)
    return LocalOutbox(channel, config.get("OUTBOX_DIR"), config.get("MAIL_FROM") or "outbox@localhost")
