"""Senders behind one interface: ``send(message) -> provider message id``.

Without provider settings (the demo), SMS and email go to the local outbox, which
staff read at /outbox. Errors: ``TransientError`` is retried, ``PermanentError`` not.
"""
from __future__ import annotations

from typing import Protocol


class TransientError(Exception):
    """Try again later (network, 5xx, rate limit)."""


class PermanentError(Exception):
    """Never retry (invalid number, refused address)."""


class Sender(Protocol):
    name: str

    def send(self, *, to: str, subject: str | None, body: str, reference: str) -> str: ...


def sender_for(channel: str, config: dict) -> Sender:
    """The configured sender of a channel; the local outbox when none is configured."""
    from agency.providers.outbox import LocalOutbox
    if channel == "sms" and config.get("TWILIO_ACCOUNT_SID"):
        from agency.providers.twilio_sms import TwilioSms
        return TwilioSms(config)
    if channel == "email" and config.get("SMTP_HOST"):
        from agency.providers.smtp_mail import SmtpMail
        return SmtpMail(config)
    return LocalOutbox(channel)
