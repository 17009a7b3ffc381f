"""Bench of the playbook engine's daily pass: `python -m bench.engine`.

1,000,000 open clinic cases (BENCH_CASES to change) in PostgreSQL at DATABASE_URL
(default: the recouvra_bench_engine database), loaded once with COPY and brought to
"yesterday" by one real pass; kept between runs. Then, in one transaction rolled back at
the end (so the next run measures the same day): the pass on a typical day, the same pass
again at the same instant (nothing due), and a plain scan of the same cases. Ends with
one RESULT line.
"""
from __future__ import annotations

import os
import statistics
import time
from datetime import date, datetime, timedelta

from sqlalchemy import text

from agency import create_app
from agency.config import database_url
from agency.domain.timezones import UTC
from agency.extensions import db
from agency.services.audit import Actor, audit_scope
from agency.services.engine.daily import run_pass
from bench import _engine_load, copy_in, copy_out, ensure_database

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/recouvra_bench_engine"
DAY = date(2026, 6, 15)  # a Monday
SCAN = "SELECT count(*), sum(length(reference)) FROM collection_case WHERE status = 'open'"


def _app():
    url = ensure_database(database_url(os.environ.get("DATABASE_URL") or DEFAULT_URL))
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "QUEUE_MODE": "sync"})


def _prepare(cases: int) -> None:
    session = db.session
    db.create_all()  # new tables only
    _engine_load.add_missing_columns(db.engine)
    if _engine_load.count(session, "collection_case") < cases:
        started = time.perf_counter()
        _engine_load.load(session, cases, DAY)
        print(f"loaded {cases:,} cases with COPY in {time.perf_counter() - started:.1f} s", flush=True)
    else:
        print(f"reusing the {cases:,} loaded cases", flush=True)
    if _engine_load.count(session, "case_engine") >= cases:
        return
    yesterday = datetime.combine(DAY - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    started = time.perf_counter()
    with audit_scope(session, Actor.system("bench"), yesterday):
        counts = run_pass(session, now=yesterday.replace(hour=6), batch_size=50_000)
    session.commit()
    print(f"first pass (every case catching up) in {time.perf_counter() - started:.1f} s: {counts}",
          flush=True)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def _scan() -> float:
    timings = []
    with db.engine.connect() as connection:
        for _ in range(5):
            started = time.perf_counter()
            connection.execute(text(SCAN)).one()
            timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _measured_passes() -> tuple[float, float, dict, dict, dict]:
    session = db.session
    now = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC).replace(hour=6)
    last_action = session.scalar(text("SELECT coalesce(max(id), 0) FROM action"))
    try:
        with audit_scope(session, Actor.system("bench"), now):
            started = time.perf_counter()
            first = run_pass(session, now=now)
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            second = run_pass(session, now=now)
            second_s = time.perf_counter() - started
        written = _written_rows(session, first["pass_id"], last_action, now)
    finally:
        session.rollback()  # the data stays on "yesterday" for the next run
    return first_s, second_s, first, second, written


# What a pass writes: the rows it inserted (by COPY) and the case_engine rows it updated.
_WRITES = {"action": "id > {last_action}", "case_step": "pass_id = '{pass_id}'"}


def _written_rows(session, pass_id: str, last_action: int, now: datetime) -> dict[str, bytes]:
    """The pass's new rows (and its updated case_engine rows), dumped in COPY's binary form."""
    cursor = session.connection().connection.driver_connection.cursor()
    dumps = {}
    for table, where in {**_WRITES, "case_engine": "updated_at = '{now}'"}.items():
        condition = where.format(last_action=last_action, pass_id=pass_id, now=now.isoformat())
        dumps[table] = copy_out(cursor, f"(SELECT * FROM {table} WHERE {condition})")
    return dumps


def _write_floor(written: dict[str, bytes]) -> float:
    """The least that writing the pass's rows costs, without deciding anything: COPY of its
    new rows into the real tables (their indexes and foreign keys), and one UPDATE of the
    case_engine rows from a table of their new values. Rolled back."""
    session = db.session
    cursor = session.connection().connection.driver_connection.cursor()
    cursor.execute("CREATE TEMP TABLE bench_engine_rows (LIKE case_engine) ON COMMIT DROP")
    copy_in(cursor, "bench_engine_rows", written["case_engine"])
    try:
        spent = {table: copy_in(cursor, table, written[table]) for table in _WRITES}
        started = time.perf_counter()
        cursor.execute("""UPDATE case_engine SET next_step_at = r.next_step_at,
                          current_step = r.current_step, waiting_step = r.waiting_step,
                          state = r.state, last_error = r.last_error, updated_at = r.updated_at
                          FROM bench_engine_rows r WHERE case_engine.case_id = r.case_id""")
        spent["case_engine update"] = time.perf_counter() - started
        print("write floor, of which: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in spent.items()))
        return sum(spent.values())
    finally:
        session.rollback()


def main() -> None:
    cases = int(os.environ.get("BENCH_CASES", 1_000_000))
    app = _app()
    with app.app_context():
        _prepare(cases)
        scan_s = _scan()
        first_s, second_s, first, second, written = _measured_passes()
        floor_s = _write_floor(written)
        scan_after = _scan()
    scan = min(scan_s, scan_after)
    print(f"scan of {cases:,} open cases: {scan:.3f} s")
    print(f"daily pass: {first_s:.2f} s: {first}")
    print(f"second pass at the same instant: {second_s:.3f} s: {second}")
    print(f"writing the pass's rows alone (COPY of its new rows, one UPDATE): {floor_s:.2f} s")
    print(f"RESULT cases={cases} due={first['cases']} actions={first['actions_created']} "
          f"skipped={first['skipped']} waiting_approval={first['waiting_approval']} "
          f"pass_s={first_s:.3f} second_pass_s={second_s:.3f} scan_s={scan:.3f} "
          f"ratio={first_s / scan:.2f} second_ratio={second_s / scan:.2f} "
          f"second_created={second['actions_created'] + second['steps_fired'] + second['skipped']} "
          f"write_floor_s={floor_s:.3f} floor_ratio={floor_s / scan:.2f} "
          f"ratio_to_floor={first_s / floor_s:.2f}")


if __name__ == "__main__":
    main()
