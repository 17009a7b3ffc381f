"""Benchmarks: `python -m bench.NAME` against PostgreSQL at DATABASE_URL."""
from __future__ import annotations

import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def ensure_database(url: str) -> str:
    """Create the bench's PostgreSQL database when it does not exist yet (a fresh machine),
    through the server's maintenance database; returns the URL."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql") or not target.database:
        raise SystemExit("the benches need PostgreSQL (DATABASE_URL=postgresql://…)")
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": target.database}).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
                print(f"database {target.database} created")
    finally:
        server.dispose()
    return url


# The write floors (bench.intake, bench.engine): rows dumped in COPY's binary form, then
# COPYed into the real tables, timed.
def copy_out(cursor, source: str) -> bytes:
    """``source`` (a table with its columns, or a query in parentheses) in COPY's binary form."""
    with cursor.copy(f"COPY {source} TO STDOUT (FORMAT binary)") as copy:
        return b"".join(bytes(block) for block in copy)


def copy_in(cursor, target: str, data: bytes) -> float:
    """COPY ``data`` (from copy_out) into ``target``; the seconds it took."""
    started = time.perf_counter()
    with cursor.copy(f"COPY {target} FROM STDIN (FORMAT binary)") as copy:
        copy.write(data)
    return time.perf_counter() - started
