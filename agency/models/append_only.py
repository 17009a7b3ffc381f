"""Tables the database itself keeps append-only: the ledger, the audit trail, the personal-data
access log and the purge log. A trigger refuses UPDATE and DELETE on them whoever sends the
statement (the ORM refuses them earlier, with a clearer error).

One rewrite is sanctioned: the privacy purge redacts the ``changes`` and ``reason`` of
audit events inside ``redaction_gate`` (agency.services.privacy.redaction, itself audited).
The gate is transaction-local on PostgreSQL (``set_config(..., true)``); SQLite has no session
variables, so its trigger asks a function registered on each of our connections, which a
connection opened by another program lacks: there the trigger refuses every update.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import DDL, Table, event
from sqlalchemy.engine import Connection, Engine

_GATE = "recouvra_redaction"

_PG_FUNCTION = """CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger
   LANGUAGE plpgsql AS $$
   BEGIN
     -- the trigger's arguments name the columns the sanctioned redaction may rewrite
     IF TG_OP = 'UPDATE' AND TG_NARGS > 0
        AND current_setting('recouvra.redaction', true) = 'on'
        AND (to_jsonb(NEW) - TG_ARGV) = (to_jsonb(OLD) - TG_ARGV) THEN
       RETURN NEW;
     END IF;
     RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
       USING ERRCODE = 'restrict_violation';
   END $$"""


def append_only_ddl(dialect: str, table: str, columns: Sequence[str] = (),
                    redactable: Sequence[str] = ()) -> list[str]:
    """The statements making ``table`` append-only; ``redactable`` columns may be rewritten
    inside the redaction gate (``columns``: all of the table's, for SQLite's comparison)."""
    if dialect == "postgresql":
        arguments = ", ".join(f"'{name}'" for name in redactable)
        return [_PG_FUNCTION,
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change({arguments})"]
    unchanged = " AND ".join(f"NEW.{name} IS OLD.{name}" for name in columns if name not in redactable)
    allowed = f" WHEN NOT ({_GATE}() AND {unchanged})" if redactable else ""
    return [f"CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table}{allowed} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
            f"CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END"]


def append_only_drop(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {table}_append_only_update",
            f"DROP TRIGGER IF EXISTS {table}_append_only_delete"]


PG_FUNCTION_DROP = "DROP FUNCTION IF EXISTS refuse_append_only_change()"
# The append-only tables of the models: name -> redactable columns.
APPEND_ONLY_TABLES: dict[str, tuple[str, ...]] = {}


def keep_append_only(table: Table, redactable: Sequence[str] = ()) -> None:
    """Declare ``table`` append-only; create_all() (tests building from the models) gets the
    triggers too, as the migrations create them."""
    APPEND_ONLY_TABLES[table.name] = tuple(redactable)
    @event.listens_for(table, "after_create")
    def _triggers(target, connection, **kwargs) -> None:
        for statement in append_only_ddl(connection.dialect.name, target.name,
                                         [c.name for c in target.columns], redactable):
            connection.execute(DDL(statement.replace("%", "%%")))  # "%" is DDL's, then the driver's


@contextmanager
def redaction_gate(connection: Connection) -> Iterator[None]:
    """Open the sanctioned rewrite of redactable columns for statements run inside the block."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT set_config('recouvra.redaction', 'on', true)")
        yield  # on an error the transaction is rolled back, and the local setting with it
        connection.exec_driver_sql("SELECT set_config('recouvra.redaction', 'off', true)")
        return
    cell = connection.connection.info[_GATE]
    cell[0] = True
    try:
        yield
    finally:
        cell[0] = False


@event.listens_for(Engine, "connect")
def _sqlite_gate_function(dbapi_connection, connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cell = connection_record.info.setdefault(_GATE, [False])
        dbapi_connection.create_function(_GATE, 0, lambda: 1 if cell[0] else 0)
