"""Bench of hostile uploads and logins: `python -m bench.abuse`.

Serves the app in a subprocess (werkzeug, threaded) with an RQ worker in another (a
``SimpleWorker`` on Redis DB 9 of 127.0.0.1:6379, so jobs run in the process measured),
both on PostgreSQL at DATABASE_URL (default: the recouvra_bench_abuse database, its schema
made anew). Then, through the API (``/api/v1/portfolios`` with a token):

1. the baseline, measured in the same run: a real 10,000-row XLSX portfolio, imported;
2. the issue's sheet bomb (~270 KB unpacking to ~60 MB of one row repeated 900,000 times),
   the shared-strings bomb (~750 KB unpacking to 300 MB) and a 10,000-column sheet;

and prints, for each, the seconds until the refusal and the rows written (must be 0), and
the peak memory of the web and worker processes; then 200 wrong passwords in a row on one
account from one address (the answers: the lock and the address cap refuse them), and the
time of a first failure for 40 unknown emails against 40 known accounts, from distinct
addresses (must be within 10%: the answer does not tell which accounts exist). Ends with one RESULT line;
``ratio`` is the web process's peak during the hostile files over its peak importing the
real file (at most about 1: the bombs cost it nothing more than a real file).
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import openpyxl
from redis import Redis
from sqlalchemy import text

from agency import create_app
from agency.config import database_url
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.services.audit import Actor, audit_scope
from agency.services.directory import create_creditor, create_token, create_user, ensure_teams
from bench import ensure_database
from bench._abuse_files import shared_strings_bomb, sheet_bomb, wide_sheet

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/recouvra_bench_abuse"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
KNOWN_EMAIL, KNOWN_PASSWORD = "agent@bench.example", "un-mot-de-passe-solide"
# Accounts for the timing comparison: each gets one wrong password (below the lock), as
# distinct unknown emails do, so both sides do the full work of a first failure.
TIMED = 40
TIMED_ACCOUNTS = tuple(f"agent{n}@bench.example" for n in range(TIMED))
LEGIT_ROWS = 10_000
MB = 1 << 20


# --- processes ---------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_WEB = ("from agency import create_app; "
        "create_app().run(host='127.0.0.1', port={port}, threaded=True, use_reloader=False)")
_WORKER = ("from redis import Redis; from rq import Queue, SimpleWorker; "
           "c = Redis.from_url({url!r}); "
           "SimpleWorker([Queue(n, connection=c) for n in ('high', 'default', 'low')], "
           "connection=c).work()")


def _start(code: str, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def _status(pid: int, field: str) -> int:
    """VmRSS / VmHWM of a process, in bytes."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(field))


def _reset_peak(pid: int) -> None:
    with open(f"/proc/{pid}/clear_refs", "w") as refs:
        refs.write("5")  # VmHWM back to the current RSS


def _wait_for(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the web app did not answer at {base}")


# --- the database --------------------------------------------------------------------------
def _setup(url: str) -> str:
    """A fresh schema, a creditor with its API token, a staff user; returns the token."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        db.create_all()
        with audit_scope(db.session, Actor.system("bench"), now_utc()):
            ensure_teams(db.session)
            for email in (KNOWN_EMAIL,) + TIMED_ACCOUNTS:
                create_user(db.session, email=email, role="agent", team="amicable",
                            password=KNOWN_PASSWORD)
            create_creditor(db.session, code="ABUSE", name="Créancier du bench", country="SN",
                            currency="XOF")
            _, token = create_token(db.session, creditor="ABUSE")
        db.session.commit()
        db.engine.dispose()
    return token


def _written(url: str) -> int:
    """Rows an import wrote for the bench's creditor: cases, claims, ledger entries, debtors
    of its cases, and report rows."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        total = db.session.scalar(text("""
            SELECT (SELECT count(*) FROM collection_case)
                 + (SELECT count(*) FROM claim) + (SELECT count(*) FROM ledger_entry)
                 + (SELECT count(*) FROM debtor) + (SELECT count(*) FROM portfolio_rejection)"""))
        db.engine.dispose()
    return int(total)


# --- the API -----------------------------------------------------------------------------
def _multipart(path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n').encode()
    return head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode(), boundary


def _call(request: urllib.request.Request) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _upload(base: str, token: str, path: Path) -> dict:
    """POST the file; follow its import until it ends. Seconds until the answer that ends
    it (the refusal at upload, or the import's final status)."""
    body, boundary = _multipart(path)
    headers = {"Authorization": f"Bearer {token}",
               "Content-Type": f"multipart/form-data; boundary={boundary}"}
    started = time.perf_counter()
    code, answer = _call(urllib.request.Request(f"{base}/api/v1/portfolios", data=body,
                                                headers=headers, method="POST"))
    if code != 202:
        return {"http": code, "status": "refused", "seconds": time.perf_counter() - started,
                "message": answer.get("error")}
    status_url = f"{base}{answer['status_url']}?per_page=1"
    auth = {"Authorization": f"Bearer {token}"}
    while True:
        _, document = _call(urllib.request.Request(status_url, headers=auth))
        if document["status"] in ("done", "refused", "failed"):
            return {"http": code, "status": document["status"],
                    "seconds": time.perf_counter() - started, "message": document["message"],
                    "imported": document["imported"]}
        time.sleep(0.05)


def _legit_file(path: Path) -> Path:
    """A real portfolio: 10,000 claims of 3,334 debtors, a few columns of each kind."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Créances")
    sheet.append(["N° dossier", "Référence facture", "Débiteur", "Téléphone", "Montant",
                  "Date facture", "Ville"])
    for line in range(LEGIT_ROWS):
        case = line // 3
        sheet.append([f"D{case:06d}", f"F{line:07d}", f"Débiteur {case} SARL",
                      f"77 {case % 1000:03d} {case % 100:02d} {line % 97:02d}",
                      5_000 + (line * 7919) % 900_000, f"{1 + line % 28:02d}/01/2026", "Dakar"])
    book.save(path)
    return path


# --- the login half ----------------------------------------------------------------------
# LOGIN HALF: the authentication engineer's branch (Flask-Limiter and the login changes)
# owns what the login answers; this measures the login route as it is, so that the bench
# runs end to end. Keep its signature: measure_logins(base, known_email, attempts) -> dict.
class _Browser:
    """A client with its cookies and the login form's CSRF token; ``address`` is the client
    address the bench's reverse-proxy header gives (X-Forwarded-For, trusted by the web
    process as one proxy's)."""

    def __init__(self, base: str, address: str) -> None:
        self.base, self.address = base, address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.opener.open(self._request("/login"), timeout=30).read().decode()
        self.csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def _request(self, path: str, data: bytes | None = None) -> urllib.request.Request:
        return urllib.request.Request(f"{self.base}{path}", data=data, headers={
            "Referer": f"{self.base}/login", "X-Forwarded-For": self.address})

    def login(self, email: str, password: str) -> tuple[int, float]:
        data = urllib.parse.urlencode({"csrf_token": self.csrf, "email": email,
                                       "password": password}).encode()
        started = time.perf_counter()
        try:
            with self.opener.open(self._request("/login", data), timeout=30) as response:
                response.read()
                code = response.status
        except urllib.error.HTTPError as error:
            code = error.code
        return code, time.perf_counter() - started


def measure_logins(base: str, known_email: str, attempts: int = 200) -> dict:
    """What an attacker meets: ``attempts`` wrong passwords in a row on one account from one
    address (the answers, when the first refusal came, and whether the right password then
    still works); and the timing of a first failure for unknown emails against known ones
    (distinct emails, from distinct addresses, interleaved, so the caps do not interfere)."""
    attacker = _Browser(base, "198.51.100.7")
    answers: dict[str, int] = {}
    first_refusal = None
    for n in range(attempts):
        code, _ = attacker.login(known_email, f"faux-{n}")
        answers[str(code)] = answers.get(str(code), 0) + 1
        if code == 429 and first_refusal is None:
            first_refusal = n + 1
    locked_out = attacker.login(known_email, KNOWN_PASSWORD)[0] != 302
    times: dict[str, list[float]] = {"unknown": [], "known": []}
    for n in range(TIMED):
        for kind, email in (("unknown", f"personne{n}@inconnu.example"), ("known", TIMED_ACCOUNTS[n])):
            browser = _Browser(base, f"203.0.113.{2 * n + (kind == 'known')}")
            code, seconds = browser.login(email, f"faux-{n}")
            assert code == 200, (kind, code)  # a plain "wrong email or password" page
            times[kind].append(seconds)
    unknown, known = (statistics.median(times[k]) * 1000 for k in ("unknown", "known"))
    return {"unknown_ms": unknown, "known_ms": known, "answers": answers,
            "first_refusal": first_refusal, "locked_out": locked_out,
            "gap_pct": 100 * abs(known - unknown) / max(min(known, unknown), 1e-9)}


# --- the run -------------------------------------------------------------------------------
def _phase(label: str, result: dict, rows: int) -> None:
    print(f"{label}: {result['status']} (HTTP {result['http']}) after {result['seconds']:.2f} s, "
          f"rows written {rows}: {result.get('message') or ''}", flush=True)


def main() -> None:
    url = ensure_database(database_url(os.environ.get("DATABASE_URL") or DEFAULT_URL))
    token = _setup(url)
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()  # the bench's own Redis database
    folder = Path(tempfile.mkdtemp(prefix="bench-abuse-"))
    files = {"legit": _legit_file(folder / "portefeuille.xlsx"),
             "sheet_bomb": sheet_bomb(folder / "bombe-feuille.xlsx"),
             "strings_bomb": shared_strings_bomb(folder / "bombe-chaines.xlsx"),
             "wide": wide_sheet(folder / "dix-mille-colonnes.xlsx")}
    for name, path in files.items():
        print(f"{name}: {path.stat().st_size / 1024:,.0f} KB", flush=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "bench",
           "AGENCY_INSTANCE_PATH": str(folder / "instance"), "AGENCY_ENV": "development",
           "PROXY_FIX_X_FOR": "1"}  # as behind one reverse proxy: the client address is its header
    web = _start(_WEB.format(port=port), env, folder / "web.log")
    worker = _start(_WORKER.format(url=REDIS_URL), env, folder / "worker.log")
    try:
        _wait_for(base)
        idle = {"web": _status(web.pid, "VmRSS"), "worker": _status(worker.pid, "VmRSS")}
        legit = _upload(base, token, files["legit"])
        peak_legit = {"web": _status(web.pid, "VmHWM"), "worker": _status(worker.pid, "VmHWM")}
        legit_rows = _written(url)
        _phase("baseline, a real 10,000-row file", legit, legit_rows)
        for pid in (web.pid, worker.pid):
            _reset_peak(pid)
        hostile = {}
        for name in ("sheet_bomb", "strings_bomb", "wide"):
            before = _written(url)
            hostile[name] = _upload(base, token, files[name])
            hostile[name]["rows"] = _written(url) - before
            _phase(name, hostile[name], hostile[name]["rows"])
        peak = {"web": _status(web.pid, "VmHWM"), "worker": _status(worker.pid, "VmHWM")}
        logins = measure_logins(base, KNOWN_EMAIL)
    finally:
        for process in (web, worker):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        redis.flushdb()
    print(f"memory (MB): idle web {idle['web'] / MB:.0f}, worker {idle['worker'] / MB:.0f}; "
          f"importing the real file web {peak_legit['web'] / MB:.0f}, worker "
          f"{peak_legit['worker'] / MB:.0f}; during the hostile files web {peak['web'] / MB:.0f}, "
          f"worker {peak['worker'] / MB:.0f}", flush=True)
    print(f"logins: 200 wrong passwords on one account from one address: answers "
          f"{logins['answers']}, first refusal at attempt {logins['first_refusal']}, right "
          f"password then {'refused (locked)' if logins['locked_out'] else 'ACCEPTED'}; a first "
          f"failure takes {logins['unknown_ms']:.1f} ms for unknown emails and "
          f"{logins['known_ms']:.1f} ms for known ones (gap {logins['gap_pct']:.1f} %, must be "
          f"within 10 %)", flush=True)
    zero = all(h["rows"] == 0 and h["status"] == "refused" for h in hostile.values())
    print("verdict: " + ("every hostile file refused, nothing written" if zero
                         else "A HOSTILE FILE WAS NOT REFUSED OR WROTE ROWS"), flush=True)
    answers = "/".join(f"{code}:{count}" for code, count in sorted(logins["answers"].items()))
    print("RESULT abuse=1 " + " ".join(
        f"{name}_refusal_s={h['seconds']:.3f} {name}_rows={h['rows']} {name}_http={h['http']}"
        for name, h in hostile.items())
        + f" legit_rows={LEGIT_ROWS} legit_import_s={legit['seconds']:.2f}"
        f" web_idle_mb={idle['web'] / MB:.0f} worker_idle_mb={idle['worker'] / MB:.0f}"
        f" web_legit_peak_mb={peak_legit['web'] / MB:.0f}"
        f" worker_legit_peak_mb={peak_legit['worker'] / MB:.0f}"
        f" web_peak_mb={peak['web'] / MB:.0f} worker_peak_mb={peak['worker'] / MB:.0f}"
        f" login_unknown_ms={logins['unknown_ms']:.1f} login_known_ms={logins['known_ms']:.1f}"
        f" login_gap_pct={logins['gap_pct']:.1f} login_answers={answers}"
        f" login_first_refusal={logins['first_refusal']} login_locked_out={int(logins['locked_out'])}"
        f" ratio={peak['web'] / peak_legit['web']:.2f}")


if __name__ == "__main__":
    main()
