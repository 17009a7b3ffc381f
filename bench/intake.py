"""Bench of portfolio intake: `python -m bench.intake [--rows N]`.

Generates a realistic CSV (BENCH_ROWS or --rows, default 100,000 rows, about 2% bad),
imports it into an empty schema of PostgreSQL at DATABASE_URL (default: the
recouvra_bench_intake database) the way `agency import` does, then times PostgreSQL
`COPY` of the same file into a bare table. Prints rows/s, the process's peak memory and
one RESULT line with the ratio import time / COPY time.
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from agency import create_app
from agency.config import database_url
from agency.domain.timezones import now_utc
from agency.extensions import db
from bench import copy_in, copy_out, ensure_database
from agency.services.audit import Actor, audit_scope
from agency.services.creditors.onboarding import take_on_creditor
from agency.services.directory import create_user, ensure_teams
from agency.services.intake import import_file
from bench._intake_data import HEADER, write_file

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/recouvra_bench_intake"


def _app():
    url = ensure_database(database_url(os.environ.get("DATABASE_URL") or DEFAULT_URL))
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "QUEUE_MODE": "sync"})


def _fresh_schema() -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    db.create_all()


AGENTS = 6
_spent = {"assign_staged_cases": 0.0, "enrol_new_cases": 0.0}


def _timed_hooks() -> None:
    """Measure (not skip) the time spent in the other areas' hooks (case assignment, the
    playbook engine's enrolment), reported apart."""
    from agency.services.intake import hooks as intake_hooks
    for name in _spent:
        setattr(intake_hooks, name, _timer(name, getattr(intake_hooks, name)))


def _timer(name: str, hook):
    def timed(*args, **kwargs):
        started = time.perf_counter()
        hook(*args, **kwargs)
        _spent[name] += time.perf_counter() - started
    return timed


def _setup(session):
    """The amicable team's agents (round-robin) and a creditor with a playbook, as in use."""
    ensure_teams(session)
    for n in range(AGENTS):
        create_user(session, email=f"agent{n}@bench.example", role="agent", team="amicable")
    return take_on_creditor(session, code="BENCH", name="Prêteur du bench", country="SN",
                            currency="XOF", playbook="clinic-po02")[0]


def _import(path: Path) -> tuple[float, dict]:
    session = db.session
    _timed_hooks()
    with audit_scope(session, Actor.system("bench"), now_utc()):
        creditor = _setup(session)
        session.commit()
        cpu = _cpu_seconds(session)
        started = time.perf_counter()
        portfolio = import_file(session, creditor=creditor, path=str(path), commit=session.commit)
        elapsed = time.perf_counter() - started
        _cpu.update({name: None if used is None or cpu[name] is None else used - cpu[name]
                     for name, used in _cpu_seconds(session).items()})
    counts = {k: getattr(portfolio, k) for k in ("rows", "imported", "rejected", "cases_created",
                                                  "debtors_created")}
    return elapsed, counts


_cpu: dict[str, float | None] = {"python": None, "postgres": None}


def _cpu_seconds(session) -> dict[str, float | None]:
    """CPU used so far by this process and by the database's server processes (when the
    server runs on this machine): on a shared machine, wall times alone mislead."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    pids = session.scalars(text("SELECT pid FROM pg_stat_activity "
                                "WHERE datname = current_database()")).all()
    session.commit()
    try:
        ticks = sum(_process_ticks(pid) for pid in pids)
    except OSError:
        server = None
    else:
        server = ticks / os.sysconf("SC_CLK_TCK")
    return {"python": own.ru_utime + own.ru_stime, "postgres": server}


def _process_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def _copy_baseline(path: Path) -> float:
    """COPY of the same file into a bare table of text columns, in the same database."""
    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    raw = db.engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()
        cursor.execute(f"DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy ({columns})")
        started = time.perf_counter()
        with cursor.copy("COPY bench_copy FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)") as copy:
            with open(path, "rb") as stream:
                while block := stream.read(1 << 20):
                    copy.write(block)
        raw.driver_connection.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def _copy_floor() -> tuple[float, int]:
    """COPY of the rows the import wrote (debtors, cases, claims, ledger entries, audit
    events, ...) into an empty copy of the real tables (their keys, indexes, constraints and
    the balance trigger): what writing those rows costs at the least, whatever the code
    around it. Seconds and rows written."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()
        dumps = []
        for table in db.metadata.sorted_tables:
            columns = ", ".join(f'"{column.name}"' for column in table.columns)
            count = cursor.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
            if count:
                target = f'"{table.name}" ({columns})'
                dumps.append((table.name, target, count, copy_out(cursor, target)))
        raw.driver_connection.commit()
    finally:
        raw.close()
    with db.engine.connect().execution_options(schema_translate_map={None: "bench_floor"}) as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS bench_floor CASCADE; CREATE SCHEMA bench_floor")
        connection.exec_driver_sql("SET search_path TO bench_floor")
        db.metadata.create_all(connection)
        connection.commit()
        cursor = connection.connection.driver_connection.cursor()
        started = time.perf_counter()
        spent = [(copy_in(cursor, target, data), name, count) for name, target, count, data in dumps]
        connection.commit()
        elapsed = time.perf_counter() - started
        print("of which: " + ", ".join(f"{name} {count:,} rows {seconds:.2f} s"
                                       for seconds, name, count in sorted(spent, reverse=True)[:6]))
        connection.exec_driver_sql("DROP SCHEMA bench_floor CASCADE")
        connection.commit()
    return elapsed, sum(count for _, _, count, _ in dumps)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", 100_000)))
    rows = parser.parse_args().rows
    path = Path(tempfile.mkdtemp(prefix="bench-intake-")) / "portefeuille.csv"
    bad = write_file(path, rows)
    print(f"file: {rows:,} rows, {bad:,} bad, {path.stat().st_size / 1e6:.1f} MB", flush=True)
    with _app().app_context():
        _fresh_schema()
        elapsed, counts = _import(path)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        copy_s = _copy_baseline(path)
        floor_s, written = _copy_floor()
    print(f"import: {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s, {counts}", flush=True)
    assign_s, enrol_s = _spent["assign_staged_cases"], _spent["enrol_new_cases"]
    print(f"of which case assignment (services.assignment): {assign_s:.1f} s, playbook "
          f"enrolment (services.engine_sweep): {enrol_s:.1f} s", flush=True)
    print(f"COPY of the same rows: {copy_s:.2f} s", flush=True)
    print(f"COPY of the {written:,} rows the import wrote into empty real tables: {floor_s:.2f} s",
          flush=True)
    print(f"CPU during the import: this process {_cpu['python']:.1f} s, PostgreSQL "
          f"{_fmt(_cpu['postgres'])} s (load average {os.getloadavg()[0]:.1f})", flush=True)
    path.unlink()
    print(f"RESULT intake_rows={rows} import_s={elapsed:.2f} rows_per_s={rows / elapsed:.0f} "
          f"assign_s={assign_s:.2f} enrol_s={enrol_s:.2f} peak_mb={peak_mb:.0f} copy_s={copy_s:.2f} "
          f"ratio={elapsed / copy_s:.1f} ratio_without_hooks={(elapsed - assign_s - enrol_s) / copy_s:.1f} "
          f"python_cpu_s={_cpu['python']:.1f} pg_cpu_s={_fmt(_cpu['postgres'])} "
          f"floor_s={floor_s:.2f} floor_ratio={floor_s / copy_s:.1f} ratio_to_floor={elapsed / floor_s:.1f}")


def _fmt(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.1f}"


if __name__ == "__main__":
    main()
