"""`agency serve` for real: a WSGI server answers, Ctrl-C stops every process it started,
and a child that dies takes the others down with a non-zero status."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest

from agency.serving.web import web_command
from tests.conftest import TEST_REDIS_URL

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
START_TIMEOUT = 60


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    """A SQLite database migrated and loaded with the demo through the CLI, in an instance
    folder of its own; the environment the server runs with (no Redis)."""
    instance = tmp_path_factory.mktemp("serve")
    env = {name: value for name, value in os.environ.items()
           if name not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "WEB_CONCURRENCY")}
    env.update(AGENCY_INSTANCE_PATH=str(instance), DATABASE_URL=f"sqlite:///{instance}/demo.db")
    for args in (["db", "upgrade"], ["demo", "--json"]):
        done = subprocess.run([sys.executable, "-m", "agency.cli", *args], env=env,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
    agent = next(login for login in json.loads(done.stdout)["logins"] if login["role"] == "agent")
    return env, agent, instance


@contextmanager
def started(argv_for_port, env, log_path):
    """Run the command on a free port; yields (process, base URL) once /login answers 200."""
    port = free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(argv_for_port(port), env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_for_login_page(f"http://127.0.0.1:{port}", process, log_path)
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:  # the test failed: leave nothing running
            for pid in descendants(process.pid):
                os.kill(pid, signal.SIGKILL)
            process.kill()
        process.wait()


def serve(port: int) -> list[str]:
    return [sys.executable, "-m", "agency.cli", "serve", "--port", str(port), "--workers", "2"]


def test_serve_answers_with_gunicorn_and_ctrl_c_stops_every_process(demo_env, tmp_path):
    env, agent, _ = demo_env
    with started(serve, env, tmp_path / "serve.log") as (process, base):
        assert log_in_and_open_my_calls(base, agent)
        tree = descendants(process.pid)
        assert len(tree) == 3 and all("gunicorn" in command_line(pid) for pid in tree)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=40) == 0
        assert alive(tree) == set()
    log = (tmp_path / "serve.log").read_text()
    assert "periodic jobs in this one" in log and "Listening at" in log


def test_serve_with_redis_runs_a_worker_and_the_scheduler(demo_env, tmp_path, redis_conn):
    env, _, _ = demo_env
    env = dict(env, REDIS_URL=TEST_REDIS_URL)
    with started(serve, env, tmp_path / "serve.log") as (process, base):
        children = {command_line(pid) for pid in direct_children(process.pid)}
        web = {command for command in children if " -m gunicorn " in command}
        assert len(web) == 1 and children - web == {f"{sys.executable} -m agency.cli worker",
                                                    f"{sys.executable} -m agency.cli scheduler"}
        deadline = time.monotonic() + 30
        while not redis_conn.keys("recouvra:periodic:*") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert redis_conn.keys("recouvra:periodic:*"), "the scheduler enqueued nothing"
        tree = descendants(process.pid)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
        assert alive(tree) == set()


def test_serve_stops_the_others_when_a_child_dies(demo_env, tmp_path):
    env, _, _ = demo_env
    with started(serve, env, tmp_path / "serve.log") as (process, base):
        tree = descendants(process.pid)
        (web,) = direct_children(process.pid)
        os.kill(web, signal.SIGKILL)  # gunicorn's master dies; its workers are left orphans
        assert process.wait(timeout=40) == 1
        assert alive(tree) == set()
    assert "web exited with status -9: stopping the others" in (tmp_path / "serve.log").read_text()


def test_waitress_serves_where_gunicorn_cannot_run(demo_env, tmp_path, monkeypatch):
    env, _, _ = demo_env
    monkeypatch.setitem(sys.modules, "gunicorn.arbiter", None)  # what an import on Windows does
    assert web_command("127.0.0.1", 5000)[1:3] == ["-m", "waitress"]
    with started(lambda port: web_command("127.0.0.1", port), env,
                 tmp_path / "waitress.log") as (process, base):
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def log_in_and_open_my_calls(base: str, login: dict) -> bool:
    """Log in through the form as a browser does; True when "Mes appels" opens."""
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    browser.addheaders = [("Accept-Language", "fr")]
    page = browser.open(base + "/login", timeout=30).read().decode()
    form = {"csrf_token": CSRF_FIELD.search(page).group(1), "email": login["email"],
            "password": login["password"]}
    landed = browser.open(base + "/login", data=urllib.parse.urlencode(form).encode(), timeout=30)
    assert urllib.parse.urlsplit(landed.url).path != "/login", "the demo login was refused"
    calls = browser.open(base + "/calls", timeout=30)
    return calls.status == 200 and "<title>Mes appels" in calls.read().decode()


def wait_for_login_page(base: str, process: subprocess.Popen, log_path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"exited {process.returncode}:\n{log_path.read_text()}"
        try:
            with urllib.request.urlopen(base + "/login", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"nothing answered on {base}/login:\n{log_path.read_text()}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command: state, parent, ... ([] once gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            text = handle.read()
    except OSError:
        return []
    return text[text.rfind(")") + 2:].split()


def direct_children(parent: int) -> set[int]:
    return {int(name) for name in os.listdir("/proc")
            if name.isdigit() and (fields := _stat(int(name))) and int(fields[1]) == parent}


def descendants(root: int) -> set[int]:
    found, todo = set(), [root]
    while todo:
        children = direct_children(todo.pop())
        found |= children
        todo += children
    return found


def alive(pids: set[int]) -> set[int]:
    """The pids still running, waiting a little for the last ones to end (a zombie has)."""
    deadline = time.monotonic() + 5
    while (running := {pid for pid in pids if _stat(pid)[:1] not in ([], ["Z"])}) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    return running


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""
