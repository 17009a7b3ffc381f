"""SQL of portfolio intake: the per-chunk staging tables, statistics as the book grows,
and id allocation for set-based inserts (statements run through ``agency.services.sql``)."""
from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from agency.services.sql import ScratchTables, is_postgres, run

# Temporary tables, one set per connection, emptied at the start of every chunk.
_STAGE_COLUMNS = {
    "intake_row": """line INTEGER, case_key VARCHAR(255), claim_key VARCHAR(255),
        reference VARCHAR(100), kind VARCHAR(32), amount BIGINT, issue_date DATE,
        deposit_date DATE, due_date DATE, extra TEXT, claim_id BIGINT, old_amount BIGINT,
        entry_id BIGINT,
        is_new INTEGER DEFAULT 0, changed INTEGER DEFAULT 0""",
    "intake_case": """case_key VARCHAR(255) PRIMARY KEY, external_ref VARCHAR(100),
        debtor_key VARCHAR(255), first_line INTEGER, case_id BIGINT, reference VARCHAR(32),
        is_new INTEGER DEFAULT 0""",
    "intake_debtor": """debtor_key VARCHAR(255) PRIMARY KEY, name VARCHAR(255),
        name_key VARCHAR(255), kind VARCHAR(16), national_id VARCHAR(64),
        company_id VARCHAR(64), country VARCHAR(2), zone VARCHAR(64), address TEXT,
        postal_code VARCHAR(16), city VARCHAR(100), annual_billed BIGINT, first_line INTEGER,
        debtor_id BIGINT, is_new INTEGER DEFAULT 0, contact_added INTEGER DEFAULT 0""",
    "intake_contact": """debtor_key VARCHAR(255), kind VARCHAR(8), value VARCHAR(255),
        zone VARCHAR(64)""",
    "intake_assign": """case_key VARCHAR(255) PRIMARY KEY, team_id BIGINT, agent_id BIGINT""",
}
_STAGE_INDEXES = ("CREATE INDEX IF NOT EXISTS ix_intake_row_claim ON intake_row (claim_key)",
                 "CREATE INDEX IF NOT EXISTS ix_intake_row_case ON intake_row (case_key)",
                 "CREATE INDEX IF NOT EXISTS ix_intake_contact ON intake_contact (debtor_key)",
                 "CREATE INDEX IF NOT EXISTS ix_intake_case_id ON intake_case (case_id)",
                 "CREATE INDEX IF NOT EXISTS ix_intake_debtor_id ON intake_debtor (debtor_id)")
STAGE = ScratchTables(_STAGE_COLUMNS, _STAGE_INDEXES)
STAGE_TABLES = tuple(_STAGE_COLUMNS)


def prepare_stage(session: Session) -> None:
    """Create the staging tables if this connection has none, and empty them."""
    STAGE.prepare(session)


def analyze_stage(session: Session, *names: str) -> None:
    """Temporary tables get no autovacuum statistics: give the planner some (again once
    the matching steps have filled in ids and flags, or it plans for none)."""
    STAGE.analyze(session, *names)


# The tables an import grows and reads back; their planner statistics are refreshed as
# they grow by half (a sample of 30,000 rows each time: a few times over a whole file).
GROWN_TABLES = ("debtor", "debtor_phone", "debtor_email", "debtor_address", "collection_case",
                "claim")
_STALE = """SELECT relname FROM pg_stat_user_tables
    WHERE schemaname = current_schema() AND relname IN :names
      AND n_mod_since_analyze > 1000 + 0.5 * n_live_tup"""


def refresh_statistics(session: Session) -> None:
    """ANALYZE the tables the import has grown by half since their last statistics
    (PostgreSQL): with autovacuum late or off, plans made for empty tables turn a chunk's
    joins into scans of the whole book; a sample costs little and is rarely needed."""
    if not is_postgres(session):
        return
    statement = text(_STALE).bindparams(bindparam("names", expanding=True))
    for name in session.scalars(statement, {"names": list(GROWN_TABLES)}).all():
        run(session, f"ANALYZE {name}")


def number_rows(session: Session, stage: str, key: str, ids: dict[str, str], where: str,
                order: str, also: str = "", **params) -> None:
    """Give the staged rows matching ``where`` new primary keys, ``ids`` naming the column
    to fill for each table, in ``order``, for INSERT ... SELECT with explicit ids (later
    joins go by primary key, whatever the planner thinks of the new rows). ``also``: more
    assignments, where ``n.rank`` is the row's rank (1, 2, ...) in ``order``."""
    ranked = f"row_number() OVER (ORDER BY {order})"
    if is_postgres(session):
        new = ", ".join(f"nextval({sequence(session, table)}::regclass) AS {column}"
                        for column, table in ids.items())
        source = (f"SELECT k, rank, {new} FROM (SELECT {key} AS k, {ranked} AS rank "
                  f"FROM {stage} WHERE {where} ORDER BY {order}) o")
    else:  # SQLite hands out max(id) + 1 anyway, and one writer at a time
        new = ", ".join(f"(SELECT coalesce(max(id), 0) FROM {table}) + {ranked} AS {column}"
                        for column, table in ids.items())
        source = f"SELECT {key} AS k, {ranked} AS rank, {new} FROM {stage} WHERE {where}"
    assignments = ", ".join([f"{column} = n.{column}" for column in ids] + ([also] if also else []))
    run(session, f"UPDATE {stage} SET {assignments} FROM ({source}) n WHERE n.k = {stage}.{key}",
        **params)


def sequence(session: Session, table: str) -> str:
    """The id sequence of ``table`` as an SQL literal: a constant regclass is resolved
    once per statement, where pg_get_serial_sequence() is called again for every row."""
    name = session.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table})
    return "'" + name.replace("'", "''") + "'"


def lock_intake(session: Session) -> None:
    """One chunk at a time across imports (PostgreSQL): two files naming the same new
    debtor or claim must not both create it. SQLite serialises writers anyway."""
    if is_postgres(session):
        run(session, "SELECT pg_advisory_xact_lock(727001)")
        # A chunk's commit need not wait for its WAL to reach the disk: the chunk and the
        # portfolio's done_line commit together, so a crash that loses the last chunks
        # loses their done_line too, and the resumed import writes them again.
        run(session, "SET LOCAL synchronous_commit = off")
