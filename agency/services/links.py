"""Signed links sent outside: a debtor's case page, an opt-out, a partner's task.

Plain Python: the secret and the public base URL are passed in, so jobs and
services build the same links as the web app.
"""
from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

CASE_LINK_MAX_AGE = 60 * 60 * 24 * 120   # a reminder's link works for four months
OPT_OUT_MAX_AGE = 60 * 60 * 24 * 365 * 3  # an opt-out link keeps working


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


def signer_from_config(config) -> LinkSigner:
    return LinkSigner(config["SECRET_KEY"], config["PUBLIC_BASE_URL"])
