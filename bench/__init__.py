"""Benchmarks: `python -m bench.NAME` against PostgreSQL at DATABASE_URL."""
from __future__ import annotations

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
