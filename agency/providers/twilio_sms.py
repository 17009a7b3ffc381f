"""SMS through Twilio's REST API (the real `twilio` library; its base URL can be
pointed at a local test server with TWILIO_API_BASE)."""
from __future__ import annotations

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from agency.providers.base import PermanentError, TransientError


class TwilioSms:
    def __init__(self, config: dict):
        self.name = "twilio"
        self._from = config["TWILIO_FROM"]
        self._client = Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"],
                              http_client=TwilioHttpClient(timeout=20))
        if config.get("TWILIO_API_BASE"):
            self._client.api.base_url = config["TWILIO_API_BASE"]

    def send(self, *, to: str, subject: str | None, body: str, reference: str,
             headers: dict[str, str] | None = None) -> str:
        try:
            message = self._client.messages.create(to=to, from_=self._from, body=body)
        except TwilioRestException as exc:
            if exc.status >= 500 or exc.status == 429:
                raise TransientError(str(exc)) from exc
            raise PermanentError(f"{exc.status} {exc.code}: {exc.msg}") from exc
        except OSError as exc:
            raise TransientError(str(exc)) from exc
        return message.sid
