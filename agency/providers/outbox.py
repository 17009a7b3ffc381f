"""The local outbox, when no provider is configured (the demo): nothing leaves the machine.

It stands for the recipients' inboxes: the text as delivered (links signed, headers) is written
to ``OUTBOX_DIR`` (one ``<message id>.eml`` or ``.txt`` per message), which only someone with
access to the server's files reads. Staff read the message rows at /outbox, links masked.
"""
from __future__ import annotations

from pathlib import Path

from agency.providers.smtp_mail import compose


class LocalOutbox:
    def __init__(self, channel: str, folder: str | None = None, sender: str = "outbox@localhost"):
        self.name = "outbox"
        self.channel = channel
        self._folder = Path(folder) if folder else None
        self._sender = sender

    def send(self, *, to: str, subject: str | None, body: str, reference: str,
             headers: dict[str, str] | None = None) -> str:
        if self._folder is not None:
            self._folder.mkdir(parents=True, exist_ok=True)
            if self.channel == "email":
                email = compose(sender=self._sender, to=to, subject=subject, body=body,
                                reference=reference, headers=headers)
                (self._folder / f"{reference}.eml").write_bytes(email.as_bytes())
            else:
                (self._folder / f"{reference}.txt").write_text(f"To: {to}\n\n{body}\n")
        return f"outbox-{reference}"
