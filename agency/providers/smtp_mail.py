"""Email over SMTP (STARTTLS when the server offers it)."""
from __future__ import annotations

import smtplib
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

from agency.providers.base import PermanentError, TransientError

# Lines up to RFC 5322's 998 characters: a long header such as List-Unsubscribe's signed URL
# must stay one plain line, not be split into encoded words that mail clients cannot follow.
MAIL_POLICY = policy.default.clone(max_line_length=998)


def compose(*, sender: str, to: str, subject: str | None, body: str, reference: str,
            headers: dict[str, str] | None = None) -> EmailMessage:
    """The email as it leaves, with extra headers (List-Unsubscribe for a debtor's)."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"], message["To"] = sender, to
    message["Subject"] = subject or ""
    message["Message-ID"] = make_msgid(idstring=reference, domain="recouvra")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message


class SmtpMail:
    def __init__(self, config: dict):
        self.name = "smtp"
        self._config = config

    def send(self, *, to: str, subject: str | None, body: str, reference: str,
             headers: dict[str, str] | None = None) -> str:
        config = self._config
        message = compose(sender=config["MAIL_FROM"], to=to, subject=subject, body=body,
                          reference=reference, headers=headers)
        try:
            with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls()
                    smtp.ehlo()
                if config.get("SMTP_USER"):
                    smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(str(exc)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(str(exc)) from exc
        return message["Message-ID"]
