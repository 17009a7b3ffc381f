"""CI: run the README's first command as a newcomer would, and prove that it serves.

`scripts/demo` starts in the background on a free port with a fresh instance folder and
none of the operator's variables. The check waits for the login page, logs in as a demo
agent with a login the demo printed, opens "Mes appels", then stops the demo as Ctrl-C
in a terminal does (SIGINT to its process group) and checks that it exits 0 and that no
process of it is left. Twice: the second run must print the same logins and serve again.
Standard library only. Exits 1 with the reason on the first failure.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 180  # install, migrations, demo data, then the server
STOP_TIMEOUT = 60
LOGIN_LINE = re.compile(r"^\s*(admin|direction|team_lead|agent|creditor)\s+(\S+@\S+)\s+(\S+)\s*$")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TITLE = re.compile(r"<title>\s*Mes appels\b")
OPERATOR_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PUBLIC_BASE_URL", "HOST",
                      "AGENCY_ENV", "WEB_CONCURRENCY")


class Failure(Exception):
    """What a newcomer would have seen go wrong."""


def main() -> int:
    instance = Path(tempfile.mkdtemp(prefix="recouvra-demo-check-"))
    try:
        first = run_demo(instance, "run 1")
        second = run_demo(instance, "run 2")
        if second != first:
            raise Failure("the second run printed other logins than the first:\n"
                          f"  first:  {first}\n  second: {second}")
    except Failure as failure:
        print(f"demo check: FAILED: {failure}", file=sys.stderr, flush=True)
        return 1
    finally:
        kill_leftovers(instance)
        shutil.rmtree(instance, ignore_errors=True)
    print(f"demo check: passed (scripts/demo served twice, {len(first)} logins kept, "
          "an agent logged in and opened Mes appels, Ctrl-C left no process)", flush=True)
    return 0


def run_demo(instance: Path, label: str) -> list[tuple[str, str, str]]:
    """One run of scripts/demo; returns the logins it printed."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in OPERATOR_VARIABLES}
    env.update(PORT=str(port), AGENCY_INSTANCE_PATH=str(instance))
    print(f"demo check: {label}: scripts/demo on port {port}, instance {instance}", flush=True)
    demo = subprocess.Popen([str(ROOT / "scripts" / "demo")], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, process_group=0)
    output = Output(demo, label)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_login_page(base, demo, output)
        agents = [login for login in output.logins if login[0] == "agent"]
        if not agents:
            raise Failure(f"{label}: the demo printed no agent login (got {output.logins})")
        open_my_calls(base, agents[0], label)
        processes = descendants(demo.pid) | {demo.pid}
        print(f"demo check: {label}: served; stopping {len(processes)} processes with Ctrl-C",
              flush=True)
    except BaseException:
        if demo.poll() is None:  # let it stop what it started; main() kills what is left
            os.killpg(demo.pid, signal.SIGINT)
            try:
                demo.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                demo.kill()
        raise
    stop(demo, processes, instance, label)
    output.thread.join(timeout=10)
    return output.logins


class Output:
    """Echoes the demo's output into the CI log and collects the login lines."""

    def __init__(self, demo: subprocess.Popen, label: str) -> None:
        self.logins: list[tuple[str, str, str]] = []
        self.tail: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(demo, label), daemon=True)
        self.thread.start()

    def _read(self, demo: subprocess.Popen, label: str) -> None:
        for line in demo.stdout:
            print(f"  [{label}] {line}", end="", flush=True)
            self.tail = (self.tail + [line])[-40:]
            found = LOGIN_LINE.match(line)
            if found:
                self.logins.append(found.groups())


def wait_for_login_page(base: str, demo: subprocess.Popen, output: Output) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if demo.poll() is not None:
            raise Failure(f"scripts/demo exited with status {demo.returncode} before serving; "
                          "its last lines:\n" + "".join(output.tail))
        try:
            with urllib.request.urlopen(base + "/login", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise Failure(f"nothing answered on {base}/login within {START_TIMEOUT} s")


def open_my_calls(base: str, login: tuple[str, str, str], label: str) -> None:
    """Log in through the form, as a browser does, then open the agent's call queue."""
    _, email, password = login
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    browser.addheaders = [("Accept-Language", "fr")]
    page = fetch(browser, base + "/login")
    token = CSRF_FIELD.search(page)
    if not token:
        raise Failure("the login page has no CSRF token")
    form = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email,
                                   "password": password}).encode()
    request = urllib.request.Request(base + "/login", data=form,
                                     headers={"Referer": base + "/login"})
    landed = fetch(browser, request, want_url=True)
    if urllib.parse.urlsplit(landed).path == "/login":
        raise Failure(f"the printed login {email} was refused")
    calls = fetch(browser, base + "/calls")
    if not TITLE.search(calls):
        raise Failure(f"{base}/calls answered without the page title 'Mes appels'")
    print(f"demo check: {label}: {email} logged in and opened Mes appels", flush=True)


def fetch(browser, request, want_url: bool = False) -> str:
    url = request if isinstance(request, str) else request.full_url
    try:
        with browser.open(request, timeout=60) as response:
            if response.status != 200:
                raise Failure(f"{url} answered {response.status}")
            return response.url if want_url else response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        raise Failure(f"{url} answered {error.code}") from None
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        raise Failure(f"{url} did not answer: {error}") from None


def stop(demo: subprocess.Popen, processes: set[int], instance: Path, label: str) -> None:
    """Ctrl-C as a terminal sends it, then: status 0, and no process of the demo left."""
    os.killpg(demo.pid, signal.SIGINT)
    try:
        status = demo.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failure(f"{label}: the demo did not stop within {STOP_TIMEOUT} s of Ctrl-C") from None
    if status != 0:
        raise Failure(f"{label}: the demo exited with status {status} on Ctrl-C")
    deadline = time.monotonic() + 5
    while (left := alive(processes) | processes_of(instance)) and time.monotonic() < deadline:
        time.sleep(0.2)
    if left:
        raise Failure(f"{label}: processes left after Ctrl-C: " + ", ".join(
            f"{pid} ({command_line(pid)})" for pid in sorted(left)))
    print(f"demo check: {label}: stopped, exit status 0, no process left", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _proc_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _parent_and_state(pid: int) -> tuple[int, str]:
    stat = _read(f"/proc/{pid}/stat").decode(errors="replace")
    fields = stat[stat.rfind(")") + 2:].split()  # after "pid (command) "
    return (int(fields[1]), fields[0]) if len(fields) > 1 else (0, "X")


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid in _proc_pids():
        children.setdefault(_parent_and_state(pid)[0], []).append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    """The pids still running (a zombie has ended)."""
    return {pid for pid in pids if _parent_and_state(pid)[1] not in ("X", "Z")}


def processes_of(instance: Path) -> set[int]:
    """Every running process started with this instance folder: the demo's, whoever their parent."""
    marker = f"AGENCY_INSTANCE_PATH={instance}".encode()
    return alive({pid for pid in _proc_pids()
                  if marker in _read(f"/proc/{pid}/environ").split(b"\0")})


def command_line(pid: int) -> str:
    return _read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace").strip()


def kill_leftovers(instance: Path) -> None:
    """After a failure, leave nothing running on the CI machine."""
    for pid in processes_of(instance):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


if __name__ == "__main__":
    sys.exit(main())
