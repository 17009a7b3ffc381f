"""the case carries its open promise's date; the call queue's indexes follow

Revision ID: 0002_case_promised_date
Revises: 0001_initial
Create Date: 2026-11-23 21:30:00

The call queue finds an agent's cases with an open promise by an index on the case
(collection_case.promised_date, kept by agency.services.calls.promises) instead of joining all
of the agent's cases to the promises; its walk index holds only the cases without one; the
call-backs it reads by index are the unassigned ones (the assigned ones come with the agent's).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_case_promised_date'
down_revision = '0001_initial'
branch_labels = None
depends_on = None

# the queue's balance order in major units, as agency.models.calls.balance_major_sql wrote it
BALANCE_MAJOR = sa.literal_column("(balance_minor * CASE WHEN currency IN ('ADP', 'AFN', 'ALL', 'BIF', 'BYR', 'CLP', 'DJF', 'ESP', 'GNF', 'IQD', 'IRR', 'ISK', 'ITL', 'JPY', 'KMF', 'KPW', 'KRW', 'LAK', 'LBP', 'LUF', 'MGA', 'MGF', 'MMK', 'MRO', 'PYG', 'RSD', 'RWF', 'SLL', 'SOS', 'STD', 'SYP', 'TMM', 'TRL', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF', 'YER', 'ZMK', 'ZWD') THEN 10000 WHEN currency IN ('BHD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 10 WHEN currency IN ('CLF', 'UYW') THEN 1 ELSE 100 END) DESC")
INCLUDE = ['hold_until', 'creditor_id', 'debtor_id', 'currency', 'balance_minor']
OPEN = "status = 'open'"
WALKED = "status = 'open' AND promised_date IS NULL"
PROMISED = "status = 'open' AND promised_date IS NOT NULL"
CALLBACK = "status IN ('planned', 'due') AND kind = 'callback'"
UNASSIGNED_CALLBACK = "status IN ('planned', 'due') AND kind = 'callback' AND assignee_id IS NULL"


def upgrade():
    # plain operations, not batch ones: SQLite adds a column and changes indexes in place, and its
    # batch mode would reflect the table, whose expression index it cannot read
    op.add_column('collection_case', sa.Column('promised_date', sa.Date(), nullable=True))
    op.execute(
        "UPDATE collection_case SET promised_date = (SELECT min(p.promised_date) FROM payment_promise p "
        "WHERE p.case_id = collection_case.id AND p.status = 'open') "
        "WHERE EXISTS (SELECT 1 FROM payment_promise p WHERE p.case_id = collection_case.id AND p.status = 'open')")
    op.drop_index('ix_case_queue_walk', table_name='collection_case')
    op.create_index('ix_case_queue_walk', 'collection_case', ['agent_id', BALANCE_MAJOR, 'id'], unique=False,
                    postgresql_include=INCLUDE, postgresql_where=sa.text(WALKED), sqlite_where=sa.text(WALKED))
    op.create_index('ix_case_queue_promised', 'collection_case', ['agent_id', 'promised_date'], unique=False,
                    postgresql_include=INCLUDE, postgresql_where=sa.text(PROMISED), sqlite_where=sa.text(PROMISED))
    op.drop_index('ix_payment_promise_queue', table_name='payment_promise')
    op.drop_index('ix_action_queue_callbacks', table_name='action')
    op.create_index('ix_action_queue_unassigned_callbacks', 'action', ['due_at'], unique=False,
                    postgresql_include=['case_id', 'kind', 'id'], postgresql_where=sa.text(UNASSIGNED_CALLBACK),
                    sqlite_where=sa.text(UNASSIGNED_CALLBACK))


def downgrade():
    op.drop_index('ix_action_queue_unassigned_callbacks', table_name='action')
    op.create_index('ix_action_queue_callbacks', 'action', ['assignee_id', 'due_at'], unique=False,
                    postgresql_include=['case_id', 'id'], postgresql_where=sa.text(CALLBACK),
                    sqlite_where=sa.text(CALLBACK))
    op.create_index('ix_payment_promise_queue', 'payment_promise', ['case_id', 'promised_date'], unique=False,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.drop_index('ix_case_queue_promised', table_name='collection_case')
    op.drop_index('ix_case_queue_walk', table_name='collection_case')
    # SQLite (3.35 and later) drops a column in place; a batch copy would trip on the ledger trigger
    op.execute("ALTER TABLE collection_case DROP COLUMN promised_date")
    op.create_index('ix_case_queue_walk', 'collection_case', ['agent_id', BALANCE_MAJOR, 'id'], unique=False,
                    postgresql_include=INCLUDE, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
