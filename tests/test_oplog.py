"""Operational logging: jobs, the pass and the sender log a start and an end line with their
ids and counts; an error is logged with its traceback and raised; JSON lines on demand."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from flask import request
from sqlalchemy import select

from agency import create_app
from agency.access import PUBLIC, allow
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import EnginePass
from agency.oplog import JsonFormatter, TextFormatter, operation
from agency.services.audit import Actor, audit_scope
from agency.services.messages import queue_message
from tests.conftest import TEST_DATABASE_URL
from workers.engine import daily_pass
from workers.messages import send_message
from workers.queues import job
from workers.periodic_state import STATE_FILE, LocalState
from workers.schedule import Periodic, run_in_process


def _lines(caplog, name: str) -> list[dict]:
    return [r.fields for r in caplog.records if getattr(r, "fields", {}).get("operation") == name]


@job(queue="low")
def _broken_job(case_id: int) -> int:
    raise RuntimeError(f"case {case_id} is not there")


def test_a_job_logs_its_start_and_end_with_ids_and_what_it_returned(caplog, session):
    with audit_scope(session, Actor.system("test"), now_utc()):
        message = queue_message(session, channel="sms", to="+221771234567", body="Bonjour",
                                respect_window=False)
    session.commit()
    with caplog.at_level(logging.INFO, logger="recouvra.ops"):
        assert send_message(message.id) == "sent"
    start, end = _lines(caplog, "job.messages.send_message")
    assert start == {"operation": "job.messages.send_message", "event": "start", "message_id": message.id}
    assert (end["event"], end["outcome"], end["result"], end["message_id"]) == ("end", "ok", "sent", message.id)
    assert end["duration_ms"] >= 0
    sent = _lines(caplog, "messages.send")[-1]
    assert (sent["message_id"], sent["channel"], sent["provider"], sent["result"], sent["outcome"]) == (
        message.id, "sms", "outbox", "sent", "ok")


def test_the_daily_pass_logs_its_counts_and_its_duration(caplog, session, make_case, make_creditor):
    make_case(make_creditor(playbook="clinic-po02"), segment="P")
    session.commit()
    with caplog.at_level(logging.INFO, logger="recouvra.ops"):
        counts = daily_pass("2026-03-02T06:00:00+00:00")
    job_end = _lines(caplog, "job.engine.daily_pass")[-1]
    pass_end = _lines(caplog, "engine.pass")[-1]
    assert job_end["slot"] == "2026-03-02T06:00:00+00:00" and job_end["outcome"] == "ok"
    assert pass_end["at"] == "2026-03-02T06:00:00+00:00"
    assert pass_end["enrolled"] == counts["enrolled"] == 1 and pass_end["pass_id"] == counts["pass_id"]
    recorded = session.scalar(select(EnginePass).where(EnginePass.pass_id == counts["pass_id"]))
    took = (recorded.finished_at - recorded.started_at).total_seconds() * 1000
    assert 0 < took <= pass_end["duration_ms"]  # measured, not read from a clock


def test_an_error_is_logged_with_its_traceback_and_raised(caplog):
    with caplog.at_level(logging.INFO, logger="recouvra.ops"), pytest.raises(RuntimeError, match="case 7"):
        _broken_job(7)
    record = next(r for r in caplog.records if getattr(r, "fields", {}).get("outcome") == "error")
    assert record.levelno == logging.ERROR and record.exc_info[0] is RuntimeError
    assert record.fields["case_id"] == 7 and record.fields["error"] == "RuntimeError: case 7 is not there"
    assert "Traceback" in caplog.text and "case 7 is not there" in caplog.text


def test_a_failure_handled_on_the_spot_is_still_logged_with_its_traceback(caplog):
    with caplog.at_level(logging.INFO, logger="recouvra.ops"):
        with operation("messages.send", message_id=3) as op:
            try:
                raise ValueError("invalid number")
            except ValueError as exc:
                op.failed(exc)
    record = caplog.records[-1]
    assert record.levelno == logging.ERROR and record.fields["outcome"] == "failed"
    assert record.exc_info[1].args == ("invalid number",)


def test_the_in_process_loop_goes_on_but_records_a_failure(app, monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    stop = threading.Event()

    @job(queue="low")
    def last(slot: str) -> str:
        stop.set()
        return slot
    entries = [Periodic("broken", _broken_job, every=timedelta(hours=1)),
               Periodic("last", last, every=timedelta(hours=1))]
    with caplog.at_level(logging.INFO, logger="recouvra.ops"):
        run_in_process(app, interval_seconds=0.01, stop=stop, entries=entries)
    state = LocalState(tmp_path / STATE_FILE).read()
    assert state["failures"] == 1
    assert state["entries"]["broken"]["outcome"] == "error" and "RuntimeError" in state["entries"]["broken"]["error"]
    assert state["entries"]["last"]["outcome"] == "ok"
    assert "Traceback" in caplog.text


def test_formats_text_and_json():
    record = logging.LogRecord("recouvra.ops", logging.ERROR, __file__, 1, "engine.pass %s", ("end",), None)
    record.fields = {"operation": "engine.pass", "at": "2026-03-02T06:00:00+00:00", "note": "two words"}
    assert TextFormatter().format(record).endswith(
        'engine.pass end operation=engine.pass at=2026-03-02T06:00:00+00:00 note="two words"')
    try:
        raise KeyError("x")
    except KeyError:
        record.exc_info = sys.exc_info()
    document = json.loads(JsonFormatter().format(record))
    assert document["message"] == "engine.pass end" and document["level"] == "ERROR"
    assert document["at"] == "2026-03-02T06:00:00+00:00" and "KeyError" in document["exc"]


@pytest.mark.commits
def test_log_format_json_gives_one_json_object_a_line(tmp_path):
    env = dict(os.environ, DATABASE_URL=TEST_DATABASE_URL, SECRET_KEY="test-secret",
               AGENCY_INSTANCE_PATH=str(tmp_path), LOG_FORMAT="json", LOG_LEVEL="INFO")
    env.pop("REDIS_URL", None)
    done = subprocess.run([sys.executable, "-m", "agency.cli", "tick", "--at", "2026-03-02T06:00:00Z",
                           "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["at"] == "2026-03-02T06:00:00+00:00"  # stdout: the one document
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    ends = [line for line in lines if line.get("operation") == "engine.pass" and line.get("event") == "end"]
    assert len(ends) == 1 and ends[0]["outcome"] == "ok" and "duration_ms" in ends[0]


def test_forwarded_headers_are_trusted_only_when_configured():
    def whoami():
        return f"{request.remote_addr} {request.scheme} {request.host}"

    answers = []
    for trusted in (0, 1):
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
                          "PROXY_FIX_X_FOR": trusted, "PROXY_FIX_X_PROTO": trusted,
                          "PROXY_FIX_X_HOST": trusted})
        app.add_url_rule("/whoami", view_func=allow(PUBLIC)(whoami))
        answers.append(app.test_client().get(
            "/whoami", environ_base={"REMOTE_ADDR": "10.0.0.2"},
            headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.7", "X-Forwarded-Proto": "https",
                     "X-Forwarded-Host": "recouvra.example"}).get_data(as_text=True))
        with app.app_context():
            db.engine.dispose()
    # Untrusted: the proxy's own address; trusted (one proxy): the address it saw, not the
    # one a client wrote in front of it.
    assert answers == ["10.0.0.2 http localhost", "203.0.113.7 https recouvra.example"]
