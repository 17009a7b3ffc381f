"""`agency serve` on SQLite: the web processes, the worker and the scheduler share one
file. A request that reads, then writes after another process committed, must wait
for its turn rather than fail with "database is locked" (the demo's /calls did)."""
from __future__ import annotations

import threading
import time

from sqlalchemy import create_engine, text

import agency  # noqa: F401 - installs the SQLite connection and transaction hooks


def test_read_then_write_waits_for_another_writer(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE access (id INTEGER PRIMARY KEY, who TEXT)"))
        conn.execute(text("CREATE TABLE jobs (id INTEGER PRIMARY KEY, n INTEGER)"))
    errors: list[BaseException] = []
    request_has_read = threading.Event()

    def web_request():  # reads the worklist, then logs the access
        try:
            with engine.begin() as conn:
                conn.execute(text("SELECT count(*) FROM jobs")).scalar_one()
                request_has_read.set()
                time.sleep(0.3)  # the worker commits meanwhile, or waits for us
                conn.execute(text("INSERT INTO access (who) VALUES ('agent')"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def worker_job():
        try:
            request_has_read.wait(5)
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO jobs (n) VALUES (1)"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=web_request), threading.Thread(target=worker_job)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM access")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM jobs")).scalar_one() == 1
    engine.dispose()
