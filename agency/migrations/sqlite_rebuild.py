"""Rebuilding SQLite tables in a migration (batch mode: copy, drop, rename) without losing
what reflection cannot carry: the triggers (the ledger's balance trigger names
collection_case, which a rename would trip on; the append-only triggers) and the rebuilt
tables' indexes (an expression index cannot be reflected, and no reflection is trusted
with a partial one) are dropped first and created again afterwards from their own SQL."""
from __future__ import annotations

from alembic import op


class sqlite_rebuild:  # noqa: N801 - used as a statement: ``with sqlite_rebuild(tables):``
    def __init__(self, tables) -> None:
        self.tables = tuple(tables)
        self.saved = []

    def __enter__(self):
        bind = op.get_bind()
        if bind.dialect.name != "sqlite":
            return self
        names = ", ".join(f"'{table}'" for table in self.tables)
        self.saved = bind.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND "
            f"(type = 'trigger' OR (type = 'index' AND tbl_name IN ({names}))) "
            "ORDER BY type DESC, name").all()
        for kind, name, _sql in self.saved:
            bind.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
        return self

    def __exit__(self, *exc_info):
        if exc_info[0] is None:
            for _kind, _name, sql in reversed(self.saved):
                op.get_bind().exec_driver_sql(sql)
        return False
