"""Bench data for the call queue: 1,000,000 cases over 50 agents, generated inside PostgreSQL
(INSERT ... SELECT generate_series: no row crosses the wire, faster than COPY), reused when
already loaded."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text

from agency.domain.timezones import UTC
from agency.models import Case, Creditor
from agency.models.ledger import BALANCE_TRIGGER_DROP, create_balance_trigger
from agency.services.audit import Actor, audit_scope
from agency.security import hash_password
from agency.services.directory import create_creditor, create_user, ensure_teams, pair_users

NOW = datetime(2026, 3, 4, 10, tzinfo=UTC)  # a Wednesday: 10:00 in Dakar, 11:00 in Paris
AGENTS = 50
TARGET = "bench.agent0@recouvra.bench"
CREDITOR_CODE = "BENCH-3"  # the data's shape: another code reloads data of an older shape

# zone, country, phone prefix, by debtor id modulo 4
_ZONES = "(ARRAY['Africa/Dakar','Africa/Casablanca','Africa/Ouagadougou','Europe/Paris'])[1 + g % 4]"
_COUNTRIES = "(ARRAY['SN','MA','BF','FR'])[1 + g % 4]"

_STEPS = [
    """INSERT INTO debtor (id, kind, name, name_key, language, country, timezone, created_at)
       SELECT g, 'person', 'Débiteur ' || g, 'debiteur ' || g, 'fr', {countries}, {zones}, :t0
       FROM generate_series(1, :n) g""",
    """INSERT INTO debtor_phone (debtor_id, e164, status)
       SELECT g, '+2217' || lpad(g::text, 8, '0'), CASE WHEN g % 53 = 0 THEN 'wrong' ELSE 'valid' END
       FROM generate_series(1, :n) g""",
    # case g belongs to agent g % AGENTS: agent 0 (the measured one) holds n / AGENTS cases
    """INSERT INTO collection_case (id, reference, creditor_id, debtor_id, external_ref, currency, phase, status,
                                    team_id, agent_id, opened_at)
       SELECT g, 'RC-B-' || g, :creditor, g, 'EXT-' || g, 'XOF', 'amicable',
              CASE WHEN g % 97 = 0 THEN 'closed' ELSE 'open' END, :team, (:agents)[1 + g % :agent_count],
              :t0 - make_interval(days => g % 400)
       FROM generate_series(1, :n) g""",
    """INSERT INTO claim (id, case_id, kind, reference, amount_minor, currency, due_date, extra, created_at)
       SELECT g, g, 'invoice', 'INV-' || g, 10000 + (g::bigint * 7919) % 5000000, 'XOF',
              (:t0 - make_interval(days => 30 + g % 400))::date, '{{}}', :t0
       FROM generate_series(1, :n) g""",
    """INSERT INTO ledger_entry (case_id, claim_id, kind, amount_minor, currency, value_date, booked_at)
       SELECT g, g, 'claim', 10000 + (g::bigint * 7919) % 5000000, 'XOF', (:t0)::date, :t0
       FROM generate_series(1, :n) g""",
    # one call action per case, as the platform makes them: 1 in 8 due by now, the rest later or
    # already done. The engine's call steps follow the case's agent (no assignee). Of each agent's
    # cases (g / AGENTS numbers them), one in 200 holds a counter-call assigned to the other agent of
    # the pair (agents 2k and 2k+1), half of them due now, and one in 150 a call-back asked of
    # the case's agent, half due now
    """INSERT INTO action (case_id, kind, step_code, due_at, status, approval, assignee_id, assignee_role,
                           claim_ids, created_at)
       SELECT g, CASE WHEN (g / :agent_count) % 200 = 0 THEN 'counter_call' WHEN (g / :agent_count) % 150 = 7 THEN 'callback'
                      ELSE 'call' END, 'AC-8W',
              CASE WHEN (g / :agent_count) % 400 = 0 OR (g / :agent_count) % 300 = 7 THEN :t0 - make_interval(mins => g % 300)
                   WHEN (g / :agent_count) % 200 = 0 OR (g / :agent_count) % 150 = 7 THEN :t0 + make_interval(mins => 30 + g % 300)
                   WHEN g % 8 = 0 THEN :t0 - make_interval(mins => g % 2000)
                   ELSE :t0 + make_interval(hours => 1 + g % 500) END,
              CASE WHEN g % 8 = 4 AND (g / :agent_count) % 200 <> 0 AND (g / :agent_count) % 150 <> 7 THEN 'done' ELSE 'due' END,
              'none',
              CASE WHEN (g / :agent_count) % 200 = 0 THEN (:agents)[1 + ((g % :agent_count) # 1)]
                   WHEN (g / :agent_count) % 150 = 7 THEN (:agents)[1 + g % :agent_count] END, 'agent', '[]', :t0
       FROM generate_series(1, :n) g""",
    # an open promise on one case in 50 of each agent, due on the bench's day or later
    """INSERT INTO payment_promise (case_id, promised_date, amount_minor, currency, status, made_by_id, created_at)
       SELECT g, (:t0)::date + (g % 9), 50000, 'XOF', 'open', (:agents)[1 + g % :agent_count], :t0
       FROM generate_series(1, :n) g WHERE (g / :agent_count) % 50 = 3""",
    """UPDATE collection_case AS c SET promised_date = p.promised_date FROM payment_promise AS p
       WHERE p.case_id = c.id AND p.status = 'open'""",
    # recent attempts on one debtor in three: some reached (quiet period), some capped
    """INSERT INTO call_log (case_id, debtor_id, agent_id, at, outcome, reached)
       SELECT c, c, (:agents)[1 + c % :agent_count], :t0 - make_interval(hours => 2 + k * 20 + c % 7),
              CASE WHEN k = 0 AND c % 9 = 0 THEN 'reached' ELSE 'no_answer' END, k = 0 AND c % 9 = 0
       FROM generate_series(3, :n, 3) c, generate_series(0, 2) k""",
]


def loaded(session, cases: int) -> bool:
    """The bench's data is there, at this size."""
    if session.scalar(select(Creditor.id).where(Creditor.code == CREDITOR_CODE)) is None:
        return False
    return session.scalar(select(func.max(Case.id))) == cases


def ensure_balance_column(session) -> bool:
    """Data loaded before collection_case.balance_minor existed: add it, backfill it from the
    ledger in one statement and install the trigger that keeps it. True when it did."""
    present = session.scalar(text(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'collection_case' AND column_name = 'balance_minor'"))
    if present:
        return False
    session.execute(text("ALTER TABLE collection_case ADD COLUMN balance_minor bigint NOT NULL DEFAULT 0"))
    session.execute(text(
        "UPDATE collection_case AS c SET balance_minor = l.total FROM "
        "(SELECT case_id, sum(amount_minor) AS total FROM ledger_entry GROUP BY case_id) AS l "
        "WHERE c.id = l.case_id"))
    for statement in BALANCE_TRIGGER_DROP["postgresql"]:
        session.execute(text(statement))
    create_balance_trigger(session.connection())
    session.commit()
    vacuum(session, "collection_case")  # the UPDATE rewrote every row
    return True


def vacuum(session, *tables: str) -> None:
    """VACUUM ANALYZE (outside a transaction): fresh statistics and visibility map."""
    with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.exec_driver_sql(f"VACUUM ANALYZE {table}")


QUEUE_INDEXES = ("ix_case_queue_walk", "ix_action_queue_case", "ix_action_queue_assignee",
                 "ix_action_queue_unassigned_callbacks", "ix_case_queue_promised")


def queue_indexes() -> list:
    from agency.models import Base
    return [index for table in Base.metadata.tables.values() for index in table.indexes
            if index.name in QUEUE_INDEXES]


def ensure_queue_indexes(session) -> list[str]:
    """Create the queue's indexes missing from data loaded before they existed."""
    created = []
    connection = session.connection()
    for index in queue_indexes():
        if not connection.exec_driver_sql(f"SELECT to_regclass('{index.name}')").scalar():
            index.create(connection)
            created.append(index.name)
    session.commit()
    if created:
        vacuum(session, "collection_case", "action")  # index-only scans need the visibility map
    return created


def load(session, cases: int) -> None:
    """The people by the ORM (a few rows), the bulk by SQL."""
    with audit_scope(session, Actor.system("bench"), NOW):
        ensure_teams(session)
        creditor = create_creditor(session, code=CREDITOR_CODE, name="Bench", country="SN", currency="XOF")
        agents = [create_user(session, email=f"bench.agent{i}@recouvra.bench", role="agent", team="amicable")
                  for i in range(AGENTS)]
        agents[0].password_hash = hash_password("bench-password")  # hashing is slow: the measured one only
        for first, second in zip(agents[::2], agents[1::2]):
            pair_users(session, first, second)
    params = {"n": cases, "t0": NOW, "creditor": creditor.id, "team": agents[0].team_id,
              "agents": [a.id for a in agents], "agent_count": AGENTS}
    for step in _STEPS:
        session.execute(text(step.format(zones=_ZONES, countries=_COUNTRIES)), params)
    for table in ("debtor", "collection_case", "claim"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :n)"), {"n": cases})
    session.commit()
    session.commit()
    vacuum(session, "debtor", "debtor_phone", "collection_case", "claim", "ledger_entry", "action", "call_log",
           "payment_promise")
