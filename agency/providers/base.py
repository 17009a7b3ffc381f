"""What every sender is and how it fails."""
from __future__ import annotations

from typing import Protocol


class TransientError(Exception):
    """Try again later (network, 5xx, rate limit)."""


class PermanentError(Exception):
    """Never retry (invalid number, refused address)."""


class Sender(Protocol):
    name: str

    def send(self, *, to: str, subject: str | None, body: str, reference: str,
             headers: dict[str, str] | None = None) -> str: ...
