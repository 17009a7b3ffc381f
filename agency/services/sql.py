"""The one runner of hand-written SQL, the dialect that spells it for PostgreSQL and SQLite,
and scratch tables declared once per capability.

Set-based work (the daily pass, portfolio intake, the call queue) writes SQL text; every
statement goes through ``run``, so dates and instants are bound through their column types
(SQLite gets the text the ORM writes, PostgreSQL real dates and timestamps) and tuples
expand for ``IN :name``. Dates are ``date`` on PostgreSQL and ISO text on SQLite, so the
dialect's expressions keep that form. Month offsets clamp to the month's last day on both,
like ``domain.playbook.dates.add_months`` (PostgreSQL's interval arithmetic does so).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Date, Table, bindparam, insert, text
from sqlalchemy.orm import Session

from agency.models.base import UTCDateTime

FAR = "9999-12-31"


def run(session: Session, sql: str, **params):
    """Execute SQL text with named parameters: instants and dates bound with their column
    types, a tuple expanded for ``IN :name`` (a short list of values)."""
    return session.execute(_typed(sql, params), params)


def run_many(session: Session, sql: str, params: list[dict]) -> None:
    """Execute one statement for many parameter sets, typed by the first one's values
    (a parameter that is a date in one set is a date, or null, in every set)."""
    if params:
        typed = {name: next((row[name] for row in params if row[name] is not None), None)
                 for name in params[0]}
        session.execute(_typed(sql, typed), params)


def _typed(sql: str, params: Mapping) -> text:
    statement = text(sql)
    binds = []
    for name, value in params.items():
        if isinstance(value, datetime):
            binds.append(bindparam(name, type_=UTCDateTime()))
        elif isinstance(value, date):
            binds.append(bindparam(name, type_=Date()))
        elif isinstance(value, tuple):
            binds.append(bindparam(name, expanding=True))
    return statement.bindparams(*binds) if binds else statement


def as_date(value) -> date | None:
    """A date read from SQL text (SQLite gives ISO strings)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class Dialect:
    """SQL spelled for the session's database: PostgreSQL, or SQLite for the demo and tests."""

    def __init__(self, name: str) -> None:
        self.pg = name == "postgresql"

    def add_days(self, day: str, days: str) -> str:
        if self.pg:
            return f"({day} + ({days}))"
        return f"date({day}, printf('%+d days', {days}))"

    def add_offset(self, day: str, days: str, months: str) -> str:
        """``day`` plus a step's offset: ``days`` when not null, else calendar ``months``."""
        if self.pg:
            return (f"(CASE WHEN {months} IS NULL THEN {day} + {days} "
                    f"ELSE ({day} + make_interval(months => {months}))::date END)")
        first = f"date({day}, 'start of month', printf('%+d months', {months}))"
        same_day = f"date({first}, printf('+%d days', CAST(strftime('%d', {day}) AS INTEGER) - 1))"
        last = f"date({first}, '+1 month', '-1 day')"
        return (f"(CASE WHEN {months} IS NULL THEN {self.add_days(day, days)} "
                f"ELSE min({same_day}, {last}) END)")

    def greatest(self, *values: str) -> str:
        """The greatest of non-null values (null if all are null)."""
        if self.pg:
            return f"GREATEST({', '.join(values)})"
        low = "'0000-01-01'"
        inner = ", ".join(f"coalesce({v}, {low})" for v in values)
        return f"NULLIF(max({inner}), {low})"

    def least(self, *values: str) -> str:
        """The least of non-null values (null if all are null)."""
        if self.pg:
            return f"LEAST({', '.join(values)})"
        inner = ", ".join(f"coalesce({v}, '{FAR}')" for v in values)
        return f"NULLIF(min({inner}), '{FAR}')"

    def scalar_max(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"max({a}, {b})"

    def scalar_min(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"min({a}, {b})"

    def json_ids(self, column: str) -> str:
        return f"json_agg({column} ORDER BY {column})" if self.pg else f"json_group_array({column})"

    def json_change(self, field_name: str, before: str, after: str) -> str:
        if self.pg:
            return f"json_build_object('{field_name}', json_build_array({before}, {after}))"
        return f"json_object('{field_name}', json_array({before}, {after}))"

    def as_json(self, expression: str) -> str:
        """A text expression as the JSON column type."""
        return f"CAST({expression} AS json)" if self.pg else expression

    def padded(self, expression: str, width: int) -> str:
        """An integer expression as text, zero-padded to ``width`` (f"{n:0{width}d}")."""
        if self.pg:
            digits = f"CAST({expression} AS text)"
            return f"lpad({digits}, greatest({width}, length({digits})), '0')"
        return f"printf('%0{width}d', {expression})"

    def local_date(self, instant: str, zone: str, now: datetime) -> tuple[str, dict]:
        """The calendar date of a stored instant in ``zone`` (SQLite: at today's offset)."""
        if self.pg:
            return f"({instant} AT TIME ZONE :zone)::date", {"zone": zone}
        minutes = int(now.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 60)
        return f"date({instant}, :zone_offset)", {"zone_offset": f"{minutes:+d} minutes"}

    def true(self) -> str:
        return "TRUE" if self.pg else "1"


def dialect(session: Session) -> Dialect:
    return Dialect(session.get_bind().dialect.name)


def is_postgres(session: Session) -> bool:
    return dialect(session).pg


def analyze(session: Session, *tables: str) -> None:
    """Give PostgreSQL's planner the sizes of tables it has no statistics for yet
    (temporary tables get no autovacuum)."""
    if is_postgres(session):
        for table in tables:
            run(session, f"ANALYZE {table}")


@dataclass(frozen=True)
class ScratchTables:
    """A capability's temporary tables: one set per connection, created when missing and
    emptied before each use. Columns may say ``{ts}`` for the dialect's instant type;
    ``pg_options`` adds a table's storage options on PostgreSQL."""

    tables: Mapping[str, str]
    indexes: tuple[str, ...] = ()
    pg_options: Mapping[str, str] = field(default_factory=dict)

    def prepare(self, session: Session) -> None:
        pg = is_postgres(session)
        ts = "TIMESTAMPTZ" if pg else "DATETIME"
        for name, columns in self.tables.items():
            options = f" WITH ({self.pg_options[name]})" if pg and name in self.pg_options else ""
            run(session, f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} "
                         f"({columns.format(ts=ts)}){options}")
        for statement in self.indexes:
            run(session, statement)
        self.clear(session)

    def clear(self, session: Session) -> None:
        """Empty them: TRUNCATE on PostgreSQL (a temporary table is never vacuumed, so
        deleted rows would pile up and skew the plans), DELETE on SQLite."""
        if is_postgres(session):
            run(session, f"TRUNCATE {', '.join(self.tables)}")
            return
        for name in self.tables:
            run(session, f"DELETE FROM {name}")

    def analyze(self, session: Session, *names: str) -> None:
        analyze(session, *(names or tuple(self.tables)))


def copy_rows(session: Session, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Write rows (tuples in ``columns`` order) to a table: COPY on PostgreSQL (constraints
    and triggers apply as to INSERT), executemany elsewhere."""
    if not rows:
        return
    if is_postgres(session):
        cursor = session.connection().connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(f":{name}" for name in columns)
    session.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"),
                    [dict(zip(columns, _sqlite_values(row))) for row in rows])


def _sqlite_values(row: tuple) -> tuple:
    return tuple(value.isoformat() if isinstance(value, date) else value for value in row)


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert rows (dicts by column name) into a table of the models: COPY on PostgreSQL
    (JSON columns dumped here), an executemany INSERT elsewhere."""
    if not rows:
        return
    if not is_postgres(session):
        session.execute(insert(table), rows)
        return
    columns = tuple(rows[0])
    dumped = {name for name in columns if isinstance(table.c[name].type, JSON)}
    copy_rows(session, table.name, columns, [
        tuple(json.dumps(value) if name in dumped else value for name, value in row.items())
        for row in rows])
