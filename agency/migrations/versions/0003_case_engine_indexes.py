"""case_engine keeps the one index the pass reads it by

Revision ID: 0003_case_engine_indexes
Revises: 0002_case_promised_date
Create Date: 2026-11-23 23:55:00

The daily pass finds due cases by (creditor_id, next_step_at) and every other read goes
by case; the single-column indexes on next_step_at and version_id were never read, yet
every pass's update of a due case (non-HOT, since next_step_at is indexed) wrote an entry
in each of them.
"""
from alembic import op


revision = '0003_case_engine_indexes'
down_revision = '0002_case_promised_date'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_case_engine_next_step_at', table_name='case_engine')
    op.drop_index('ix_case_engine_version_id', table_name='case_engine')


def downgrade():
    op.create_index('ix_case_engine_version_id', 'case_engine', ['version_id'], unique=False)
    op.create_index('ix_case_engine_next_step_at', 'case_engine', ['next_step_at'], unique=False)
