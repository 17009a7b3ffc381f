"""Bench data for bench.engine: open clinic cases loaded with psycopg COPY, then one
engine pass the day before the measured day, so every case stands where a daily pass
would have left it (records, actions, next_step_at)."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import text

from agency.domain.timezones import UTC

CREDITOR_CODE = "BENCH-CLINIC"
CASES_PER_DEBTOR = 4


def count(session, table: str) -> int:
    return session.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0


def load(session, cases: int, day: date, seed: int = 7) -> None:
    """Creditor, debtors, cases, claims with their ledger entries, a few promises."""
    from agency.services.audit import Actor, audit_scope
    from agency.services.creditors.onboarding import take_on_creditor
    now = datetime.combine(day - timedelta(days=200), datetime.min.time(), tzinfo=UTC)
    with audit_scope(session, Actor.system("bench"), now):
        creditor, _ = take_on_creditor(
            session, code=CREDITOR_CODE, name="Clinique (bench)", country="SN", currency="XOF",
            playbook="clinic-po02",
            terms={"payment_term_days": 30, "approvals": {"letters": "direction"}})
    session.commit()
    raw = session.connection().connection.driver_connection
    rng = random.Random(seed)
    with raw.cursor() as cur:
        base = _next_ids(cur)
        _copy_debtors(cur, base["debtor"], cases // CASES_PER_DEBTOR + 1, now)
        _copy_cases(cur, rng, base, creditor.id, cases, day, now)
    raw.commit()
    session.execute(text("ANALYZE"))
    session.commit()


def _next_ids(cur) -> dict[str, int]:
    ids = {}
    for table in ("debtor", "collection_case", "claim", "ledger_entry", "payment_promise"):
        cur.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
        ids[table] = cur.fetchone()[0]
    ids["debtor"] = ids.pop("debtor")
    return ids


def _copy_debtors(cur, first: int, count: int, now: datetime) -> None:
    with cur.copy("COPY debtor (id, kind, name, name_key, language, country, timezone, created_at) "
                  "FROM STDIN") as copy:
        for i in range(first, first + count):
            copy.write_row((i, "company", f"Garant {i}", f"garant {i}", "fr", "SN", "Africa/Dakar", now))
    cur.execute("SELECT setval(pg_get_serial_sequence('debtor', 'id'), %s)", (first + count,))


def _copy_cases(cur, rng, base, creditor_id, cases, day, now) -> None:
    case_rows, claim_rows, entry_rows, promise_rows = [], [], [], []
    claim_id, entry_id = base["claim"], base["ledger_entry"]
    for n in range(cases):
        case_id = base["collection_case"] + n
        segment = rng.choices("GMP", weights=(1, 2, 5))[0]
        case_rows.append((case_id, f"RB-{case_id:08d}", creditor_id, base["debtor"] + n // CASES_PER_DEBTOR,
                          f"B-{case_id}", "XOF", "amicable", "open", segment, now))
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            deposit = day - timedelta(days=rng.randint(45, 135))
            amount = rng.randint(2, 60) * 250_000
            claim_rows.append((claim_id, case_id, "invoice", f"F-{claim_id}", amount, "XOF", deposit,
                               deposit, deposit + timedelta(days=30), "{}", now))
            entry_rows.append((entry_id, case_id, claim_id, "claim", amount, "XOF", deposit, now))
            entry_id += 1
            if rng.random() < 0.1:
                entry_rows.append((entry_id, case_id, claim_id, "payment", -amount // 2, "XOF",
                                   deposit + timedelta(days=40), now))
                entry_id += 1
            claim_id += 1
        if rng.random() < 0.01:
            promise_rows.append((base["payment_promise"] + len(promise_rows), case_id,
                                 day + timedelta(days=20), 100_000, "XOF", "open",
                                 datetime.combine(day - timedelta(days=3), datetime.min.time(), tzinfo=UTC)))
    _copy(cur, "collection_case", "id, reference, creditor_id, debtor_id, external_ref, currency, "
          "phase, status, segment, opened_at", case_rows)
    _copy(cur, "claim", "id, case_id, kind, reference, amount_minor, currency, issue_date, "
          "deposit_date, due_date, extra, created_at", claim_rows)
    _copy(cur, "ledger_entry", "id, case_id, claim_id, kind, amount_minor, currency, value_date, "
          "booked_at", entry_rows)
    _copy(cur, "payment_promise", "id, case_id, promised_date, amount_minor, currency, status, "
          "created_at", promise_rows)


def _copy(cur, table: str, columns: str, rows: list[tuple]) -> None:
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))")


def add_missing_columns(engine) -> list[str]:
    """Columns the models gained since the bench data was loaded, added (nullable)."""
    from sqlalchemy import inspect

    from agency.models import Base
    inspector = inspect(engine)
    added = []
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    kind = column.type.compile(dialect=engine.dialect)
                    connection.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
                    added.append(f"{table.name}.{column.name}")
    return added
