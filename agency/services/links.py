"""Signed links sent outside: a debtor's case page, an opt-out, a partner's task.

Plain Python: the secret and the public base URL are passed in, so jobs and
services build the same links as the web app.

A stored message never holds a link: its body holds a placeholder (``OPT_OUT_LINK``,
``CASE_LINK``, ``PARTNER_LINK``) that the sending job replaces, in memory, by a link signed
at that moment (agency.services.messages.outgoing). Staff read bodies through ``mask_links``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

CASE_LINK_MAX_AGE = 60 * 60 * 24 * 120   # a reminder's link works for four months
OPT_OUT_MAX_AGE = 60 * 60 * 24 * 365 * 3  # an opt-out link keeps working

OPT_OUT_LINK = "[[opt-out-link]]"
CASE_LINK = "[[case-link]]"
PARTNER_LINK = "[[partner-link]]"
_MASKED = {OPT_OUT_LINK: "…/d/stop/••••••", CASE_LINK: "…/d/••••••", PARTNER_LINK: "…/p/••••••"}
# A link as sent (older rows, a body pasted by hand): the path that opens something, then its token.
_TOKEN_IN_URL = re.compile(r"(/d/stop/|/d/|/p/)[A-Za-z0-9_\-.]{12,}")


def mask_links(text: str | None) -> str | None:
    """The text with every debtor, opt-out or partner link shown without its token."""
    if not text:
        return text
    for placeholder, masked in _MASKED.items():
        text = text.replace(placeholder, masked)
    return _TOKEN_IN_URL.sub(lambda found: f"{found.group(1)}••••••", text)


@dataclass(frozen=True)
class LinkSigner:
    secret: str
    base_url: str

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=f"recouvra-{purpose}")

    def sign(self, purpose: str, data: dict) -> str:
        return self._serializer(purpose).dumps(data)

    def read(self, purpose: str, token: str, max_age: int) -> dict | None:
        try:
            return self._serializer(purpose).loads(token, max_age=max_age)
        except BadSignature:
            return None

    def case_token(self, case_id: int, reference: str) -> str:
        return self.sign("debtor-access", {"case": case_id, "ref": reference})

    def case_url(self, case_id: int, reference: str) -> str:
        return f"{self.base_url.rstrip('/')}/d/{self.case_token(case_id, reference)}"

    def opt_out_url(self, channel: str, address: str, debtor_id: int) -> str:
        token = self.sign("opt-out", {"c": channel, "a": address, "d": debtor_id})
        return f"{self.base_url.rstrip('/')}/d/stop/{token}"

    def partner_token(self, nonce: str) -> str:
        """A partner task's link secret: an HMAC of the task's nonce, so it is never stored."""
        digest = hmac.new(self.secret.encode(), f"recouvra-partner-task:{nonce}".encode(),
                          hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def partner_url(self, nonce: str) -> str:
        return f"{self.base_url.rstrip('/')}/p/{self.partner_token(nonce)}"


def signer_from_config(config) -> LinkSigner:
    return LinkSigner(config["SECRET_KEY"], config["PUBLIC_BASE_URL"])
