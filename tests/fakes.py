"""Local stand-ins for the providers' HTTP APIs, so the real client libraries are used."""
from __future__ import annotations

import base64
import json
import socketserver
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeTwilio:
    """Answers POST /2010-04-01/Accounts/<sid>/Messages.json like Twilio does."""

    def __init__(self, sid: str, token: str):
        self.sid, self.token = sid, token
        self.requests: list[dict] = []
        self.status = 201
        self.hang = threading.Event()  # set: hold every request until released
        self.release = threading.Event()
        self.received = threading.Event()

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                auth = base64.b64decode(self.headers["Authorization"].split()[1]).decode()
                fake.requests.append({"path": self.path, "form": form, "auth": auth})
                fake.received.set()
                if fake.hang.is_set():
                    fake.release.wait(60)
                if auth != f"{fake.sid}:{fake.token}":
                    return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                if fake.status >= 400:
                    return self._answer(fake.status, {"code": 21211, "message": "Invalid 'To'",
                                                      "status": fake.status})
                number = len(fake.requests)
                self._answer(201, {"sid": f"SM{number:032d}", "status": "queued", "to": form.get("To"),
                                   "from": form.get("From"), "body": form.get("Body"),
                                   "account_sid": fake.sid})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
        return Handler


@contextmanager
def serve(fake):
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class FakeSmtp:
    """A minimal SMTP server (EHLO, MAIL, RCPT, DATA, QUIT): what smtplib sends is kept whole."""

    def __init__(self):
        self.messages: list[bytes] = []

    def handler(self):
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self._say("220 fake ESMTP")
                while line := self.rfile.readline():
                    verb = line.decode().strip().split(" ")[0].upper()
                    if verb == "EHLO":
                        self._say("250-fake\r\n250 OK")
                    elif verb == "DATA":
                        self._say("354 end with .")
                        fake.messages.append(self._data())
                        self._say("250 queued")
                    elif verb == "QUIT":
                        self._say("221 bye")
                        return
                    else:
                        self._say("250 OK")

            def _data(self) -> bytes:
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                return b"".join(lines)

            def _say(self, text: str) -> None:
                self.wfile.write(text.encode() + b"\r\n")
        return Handler


@contextmanager
def serve_smtp(fake: FakeSmtp):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), fake.handler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
