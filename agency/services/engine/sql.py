"""SQL spelled for PostgreSQL and SQLite: the date arithmetic and aggregates the pass needs.

Dates are ``date`` on PostgreSQL and ISO text on SQLite (as SQLAlchemy stores them), so
every expression here keeps that form. Month offsets clamp to the month's last day on
both, like ``playbook_dates.add_months`` (PostgreSQL's interval arithmetic does so).
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Date, bindparam, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from agency.models.base import UTCDateTime

FAR = "9999-12-31"


class Dialect:
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

    def json_change(self, field: str, before: str, after: str) -> str:
        if self.pg:
            return f"json_build_object('{field}', json_build_array({before}, {after}))"
        return f"json_object('{field}', json_array({before}, {after}))"

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


def run(session: Session, sql: str, **params):
    """Execute SQL text with dates and instants bound through their column types."""
    statement = text(sql)
    binds = []
    for name, value in params.items():
        if isinstance(value, datetime):
            binds.append(bindparam(name, type_=UTCDateTime))
        elif isinstance(value, date):
            binds.append(bindparam(name, type_=Date))
        elif isinstance(value, tuple):  # `IN :name`, a short list of values
            binds.append(bindparam(name, expanding=True))
    if binds:
        statement = statement.bindparams(*binds)
    return session.execute(statement, params)


def as_date(value) -> date | None:
    """A date read from SQL text (SQLite gives ISO strings)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


TEMP_TABLES = {
    "tick_case": """(case_id BIGINT PRIMARY KEY, debtor_id BIGINT, agent_id BIGINT,
        version_id BIGINT, seg VARCHAR(16), zone VARCHAR(64), currency VARCHAR(3),
        route VARCHAR(8), free_credit BIGINT, last_payment_on DATE, overdue BIGINT,
        current_rank INTEGER, current_code VARCHAR(64), waiting_code VARCHAR(64), next_on DATE,
        due_at {ts}, recorded BIGINT)""",
    "tick_claim": """(claim_id BIGINT PRIMARY KEY, case_id BIGINT, owed BIGINT, unpaid BIGINT,
        deposit DATE, eff_due DATE, intake DATE, issue DATE)""",
    "tick_ref": """(case_id BIGINT, combo INTEGER, first_on DATE, missing INTEGER,
        PRIMARY KEY (case_id, combo))""",
    # recorded steps are dropped once the current step is known
    "tick_step": """(case_id BIGINT, step_id BIGINT, rank INTEGER, code VARCHAR(64),
        min_due DATE, recorded INTEGER)""",
    "tick_decision": """(case_id BIGINT, step_id BIGINT, code VARCHAR(64), rank INTEGER,
        due_on DATE, outcome VARCHAR(8), reason VARCHAR(32), claim_ids JSON,
        PRIMARY KEY (case_id, code))""",
}
TEMP_BUFFERS = "256MB"
INDEXES = ("CREATE INDEX IF NOT EXISTS tick_claim_case ON tick_claim (case_id)",)


def prepare_temp_tables(session: Session) -> None:
    """The pass's scratch tables exist on this connection, and are empty."""
    d = dialect(session)
    ts = "TIMESTAMPTZ" if d.pg else "DATETIME"
    if d.pg:
        _tune_session(session)
    for name, columns in TEMP_TABLES.items():
        # tick_case is updated column by column: room on its pages keeps updates HOT.
        room = " WITH (fillfactor = 40)" if d.pg and name == "tick_case" else ""
        run(session, f"CREATE TEMP TABLE IF NOT EXISTS {name} {columns.format(ts=ts)}{room}")
    for sql in INDEXES:
        run(session, sql)
    clear_temp_tables(session)


def clear_temp_tables(session: Session) -> None:
    """Empty the scratch tables (TRUNCATE on PostgreSQL: no dead rows to skew the plans)."""
    if dialect(session).pg:
        run(session, f"TRUNCATE {', '.join(TEMP_TABLES)}")
    else:
        for name in TEMP_TABLES:
            run(session, f"DELETE FROM {name}")


def _tune_session(session: Session) -> None:
    """No JIT for the pass's short statements (it costs more than it saves); scratch tables
    in memory when the connection has not used temporary tables yet (PostgreSQL refuses
    the setting afterwards, hence the savepoint)."""
    run(session, "SET LOCAL jit = off")
    if run(session, "SELECT current_setting('temp_buffers')").scalar() == TEMP_BUFFERS:
        return
    try:
        with session.begin_nested():
            run(session, f"SET temp_buffers = '{TEMP_BUFFERS}'")
    except DBAPIError:
        pass  # this connection already used temporary tables: keep its buffers


def analyze(session: Session, *tables: str) -> None:
    """Give PostgreSQL's planner the scratch tables' sizes (no autovacuum on temp tables)."""
    if dialect(session).pg:
        for table in tables:
            run(session, f"ANALYZE {table}")
