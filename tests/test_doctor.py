"""agency doctor and the admins' status page: one verdict per check, exit 1 when one fails."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import namedtuple
from datetime import timedelta

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from agency.domain.timezones import now_utc
from agency.health import CHECK_NAMES
from agency.health import checks as system_checks
from agency.health.checks import database, disk, providers
from agency.health.queues import failed_jobs, scheduler
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.test_workers_rq import kill_tree
from workers.periodic_state import LOCK_KEY, STATE_FILE, LocalState, heartbeats, record_claim
from workers.schedule import schedule


def _fails() -> None:
    raise RuntimeError("the provider is down")


def _doctor(runner) -> tuple[int, dict]:
    result = runner.invoke(["doctor", "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_doctor_names_every_check_and_fails_without_workers(runner, redis_conn):
    code, document = _doctor(runner)
    checks = {check["name"]: check for check in document["checks"]}
    assert code == 1 and document["ok"] is False
    assert [check["name"] for check in document["checks"]] == list(CHECK_NAMES)
    assert checks["database"]["ok"] and "migrations at head" in checks["database"]["detail"]
    assert checks["redis"]["ok"] and checks["providers"]["ok"] and checks["disk"]["ok"]
    assert not checks["workers"]["ok"] and "no worker on high" in checks["workers"]["detail"]
    assert not checks["scheduler"]["ok"] and "no scheduler holds the lock" in checks["scheduler"]["detail"]


@pytest.mark.commits
def test_doctor_passes_with_a_worker_and_a_scheduler_running(runner, redis_conn, tmp_path):
    env = dict(os.environ, DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL, SECRET_KEY="test-secret",
               AGENCY_INSTANCE_PATH=str(tmp_path), SCHEDULER_INTERVAL="0.5")
    processes = [subprocess.Popen([sys.executable, "-m", "agency.cli", command], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                 for command in ("worker", "scheduler")]
    try:
        deadline = time.monotonic() + 90
        queues = [Queue(name, connection=redis_conn) for name in ("high", "default", "low")]
        while not (heartbeats(redis_conn) and all(q.count == 0 and q.started_job_registry.count == 0
                                                  for q in queues)):
            assert time.monotonic() < deadline, "the worker never ran the periodic jobs"
            time.sleep(0.3)
        code, document = _doctor(runner)
    finally:
        for process in processes:
            kill_tree(process.pid)
            process.wait(timeout=10)
    assert code == 0, [check for check in document["checks"] if not check["ok"]]
    scheduled = next(check for check in document["checks"] if check["name"] == "scheduler")
    assert "heartbeat run" in scheduled["detail"] and scheduled["facts"]["lock_holder"]


def test_failed_jobs_and_a_stale_scheduler_fail(redis_conn):
    queue = Queue("low", connection=redis_conn)
    queue.enqueue(_fails)
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    verdict = failed_jobs(redis_conn)
    assert not verdict.ok and verdict.facts["low"] == 1 and "1 failed job(s)" in verdict.detail
    now = now_utc()
    entries = [e for e in schedule() if e.name == "messages.send_due"]
    redis_conn.set(LOCK_KEY, "host:1:x", px=5000)
    record_claim(redis_conn, "messages.send_due", now - timedelta(minutes=4))
    assert scheduler(redis_conn, entries, "/nowhere", now).ok
    record_claim(redis_conn, "messages.send_due", now - timedelta(minutes=11))
    stale = scheduler(redis_conn, entries, "/nowhere", now)
    assert not stale.ok and "messages.send_due last enqueued 11 min ago" in stale.detail


def test_the_in_process_record_is_read_without_redis(tmp_path):
    now, entries = now_utc(), schedule()
    assert "never run" in scheduler(None, entries, str(tmp_path), now).detail
    state = LocalState(tmp_path / STATE_FILE)
    for entry in entries:
        state.record(entry.name, entry.latest_slot(now), now, None)
    assert scheduler(None, entries, str(tmp_path), now).ok
    state.record("messages.send_due", entries[0].latest_slot(now), now, RuntimeError("SMTP down"))
    failing = scheduler(None, entries, str(tmp_path), now)
    assert not failing.ok and "messages.send_due failed: RuntimeError: SMTP down" in failing.detail


def test_providers_half_configured_or_left_local_in_production():
    twilio = {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM": "+221338000000"}
    assert providers({}).ok and providers({}).facts == {"sms": "local outbox", "email": "local outbox",
                                                        "payments": "not configured"}
    half = providers({"TWILIO_ACCOUNT_SID": "AC1"})
    assert not half.ok and "TWILIO_AUTH_TOKEN" in half.detail
    stand_in = providers(twilio | {"TWILIO_API_BASE": "http://127.0.0.1:8099"})
    assert stand_in.ok and stand_in.facts["sms"] == "local stand-in"
    assert not providers({"AGENCY_ENV": "production"} | twilio | {"SMTP_HOST": "smtp"}
                         | {"TWILIO_API_BASE": "http://localhost:1"}).ok
    assert providers({"AGENCY_ENV": "production", "SMTP_HOST": "smtp.example"} | twilio).ok
    assert not providers({"AGENCY_ENV": "production"}).ok  # messages would stay in the outbox


def test_a_database_behind_the_code_fails(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('0003_case_engine_indexes')"))
    with Session(engine) as session:
        verdict = database(session)
    engine.dispose()
    assert not verdict.ok and "database at 0003_case_engine_indexes" in verdict.detail
    assert "agency db upgrade" in verdict.detail


def test_a_full_disk_fails(monkeypatch, tmp_path):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(system_checks.shutil, "disk_usage", lambda path: usage(100 << 30, 99 << 30, 1 << 29))
    assert not disk(str(tmp_path)).ok


def test_the_status_page_is_for_admins(client, login, make_user, session):
    admin, agent = make_user("admin"), make_user("agent")
    session.commit()
    page = login(admin).get("/platform")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "État de la plateforme" in html
    assert "Base de données et migrations" in html and "Planificateur des tâches périodiques" in html
    assert 'id="check-workers"' in html and "Défaillant" in html  # no worker runs in the tests
    assert 'href="/platform"' in login(admin).get("/cases").get_data(as_text=True)
    client.post("/logout")
    assert login(agent).get("/platform").status_code == 403
    assert 'href="/platform"' not in client.get("/cases").get_data(as_text=True)


def test_the_status_page_in_english(client, login, make_user, session):
    admin = make_user("admin")
    admin.locale = "en"
    session.commit()
    html = login(admin).get("/platform").get_data(as_text=True)
    assert "Platform status" in html and "Workers and queues" in html and "Failing" in html
