"""The daily pass's scratch tables, and the session settings its short statements want
(statements run through ``agency.services.sql``)."""
from __future__ import annotations

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from agency.services.sql import ScratchTables, is_postgres, run

_TEMP_COLUMNS = {
    "tick_case": """case_id BIGINT PRIMARY KEY, debtor_id BIGINT, agent_id BIGINT,
        version_id BIGINT, seg VARCHAR(16), zone VARCHAR(64), currency VARCHAR(3),
        route VARCHAR(8), free_credit BIGINT, last_payment_on DATE, overdue BIGINT,
        current_rank INTEGER, current_code VARCHAR(64), waiting_code VARCHAR(64), next_on DATE,
        due_at {ts}, recorded BIGINT""",
    "tick_claim": """claim_id BIGINT PRIMARY KEY, case_id BIGINT, owed BIGINT, unpaid BIGINT,
        deposit DATE, eff_due DATE, intake DATE, issue DATE""",
    "tick_ref": """case_id BIGINT, combo INTEGER, first_on DATE, missing INTEGER,
        PRIMARY KEY (case_id, combo)""",
    # recorded steps are dropped once the current step is known
    "tick_step": """case_id BIGINT, step_id BIGINT, rank INTEGER, code VARCHAR(64),
        min_due DATE, recorded INTEGER""",
    "tick_decision": """case_id BIGINT, step_id BIGINT, code VARCHAR(64), rank INTEGER,
        due_on DATE, outcome VARCHAR(8), reason VARCHAR(32), claim_ids JSON,
        PRIMARY KEY (case_id, code)""",
}
TEMP_BUFFERS = "256MB"
# tick_case is updated column by column: room on its pages keeps updates HOT.
SCRATCH = ScratchTables(_TEMP_COLUMNS,
                        ("CREATE INDEX IF NOT EXISTS tick_claim_case ON tick_claim (case_id)",),
                        {"tick_case": "fillfactor = 40"})
TEMP_TABLES = tuple(_TEMP_COLUMNS)


def prepare_temp_tables(session: Session) -> None:
    """The pass's scratch tables exist on this connection, and are empty."""
    if is_postgres(session):
        _tune_session(session)
    SCRATCH.prepare(session)


def clear_temp_tables(session: Session) -> None:
    SCRATCH.clear(session)


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
