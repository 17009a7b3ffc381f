"""The local outbox: nothing leaves the machine; the message row is the delivery."""
from __future__ import annotations


class LocalOutbox:
    def __init__(self, channel: str):
        self.name = "outbox"
        self.channel = channel

    def send(self, *, to: str, subject: str | None, body: str, reference: str) -> str:
        return f"outbox-{reference}"
