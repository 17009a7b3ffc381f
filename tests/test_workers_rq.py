"""Real RQ workers, in their own processes, against the real Redis and database."""
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from rq import Queue

from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import OutboundMessage
from agency.services.audit import Actor, audit_scope
from agency.services.messages import expire_stale_claims, queue_message
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.fakes import FakeTwilio, serve
from workers.messages import send_message

pytestmark = pytest.mark.commits


def worker_env(tmp_path, twilio_base, fake):
    env = dict(os.environ)
    env.update(DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL, SECRET_KEY="test-secret",
               AGENCY_INSTANCE_PATH=str(tmp_path), TWILIO_ACCOUNT_SID=fake.sid,
               TWILIO_AUTH_TOKEN=fake.token, TWILIO_FROM="+221338000000",
               TWILIO_API_BASE=twilio_base)
    return env


def start_worker(env, burst=True):
    args = [sys.executable, "-m", "agency.cli", "worker", "--queues", "default"]
    return subprocess.Popen(args + (["--burst"] if burst else []), env=env, start_new_session=True,
                            stdout=subprocess.PIPE if burst else subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)


def kill_tree(pid: int) -> None:
    """SIGKILL a process and all its descendants (RQ's work horse has its own group)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    doomed, stack = [], [pid]
    while stack:
        current = stack.pop()
        doomed.append(current)
        stack.extend(children.get(current, []))
    for victim in doomed:
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass


def queue_sms(key):
    with audit_scope(db.session, Actor.system("test"), now_utc()):
        message = queue_message(db.session, channel="sms", to="+221771234567", body="Tâche",
                                idempotency_key=key, respect_window=False)
    message_id = message.id
    db.session.commit()
    return message_id


def status_of(message_id):
    db.session.rollback()  # end any read transaction: SQLite would keep its old snapshot
    return db.session.get(OutboundMessage, message_id).status


def test_a_worker_process_sends_the_message(tmp_path, redis_conn):
    fake = FakeTwilio("AC" + "2" * 32, "tok")
    message_id = queue_sms("rq-1")
    with serve(fake) as base:
        job = Queue("default", connection=redis_conn).enqueue(send_message, message_id)
        output = start_worker(worker_env(tmp_path, base, fake)).communicate(timeout=120)[0]
    assert job.return_value(refresh=True) == "sent"
    assert status_of(message_id) == "sent", output.decode()[-2000:]
    assert len(fake.requests) == 1


def test_a_worker_killed_mid_send_sends_nothing_twice(tmp_path, redis_conn):
    fake = FakeTwilio("AC" + "3" * 32, "tok")
    fake.hang.set()
    message_id = queue_sms("rq-2")
    queue = Queue("default", connection=redis_conn)
    with serve(fake) as base:
        env = worker_env(tmp_path, base, fake)
        queue.enqueue(send_message, message_id)
        worker = start_worker(env, burst=False)
        assert fake.received.wait(90), "the worker never called the provider"
        kill_tree(worker.pid)  # the worker and its work horse, mid-request: a crash
        worker.wait(timeout=30)
        fake.hang.clear()
        assert status_of(message_id) == "sending"
        # The job is delivered again (RQ re-queues abandoned jobs; a sweeper may too).
        queue.enqueue(send_message, message_id)
        start_worker(env).communicate(timeout=120)
        time.sleep(0.2)
    assert len(fake.requests) == 1
    db.session.rollback()
    with audit_scope(db.session, Actor.system("test"), now_utc()):
        assert expire_stale_claims(db.session, now=now_utc() + timedelta(minutes=20)) == 1
    db.session.commit()
    assert status_of(message_id) == "unknown"
