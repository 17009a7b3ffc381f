"""intake: the report keeps warnings beside rejections, cases know the import that opened
them, creditors say what kind of debtor their files describe

Revision ID: 0005_intake_limits_report
Revises: 0004_auth_sessions_two_factor
Create Date: 2026-11-24 10:00:00

portfolio_rejection gets a level ('error': a rejected row; 'warning': a kept row and what
was dropped from it), read a page at a time by (portfolio, level, line); collection_case
gets the portfolio that opened it (the report links its cases); creditor gets
default_debtor_kind ('person' or 'company') for debtors its files do not describe.
"""
from alembic import op

from agency.migrations.sqlite_rebuild import sqlite_rebuild
import sqlalchemy as sa


revision = '0005_intake_limits_report'
down_revision = '0004_auth_sessions_two_factor'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('portfolio_rejection', sa.Column('level', sa.String(length=8), nullable=False,
                                                   server_default='error'))
    op.drop_index('ix_portfolio_rejection_portfolio_id', table_name='portfolio_rejection')
    op.create_index('ix_portfolio_rejection_report', 'portfolio_rejection',
                    ['portfolio_id', 'level', 'line'], unique=False)
    op.add_column('creditor', sa.Column('default_debtor_kind', sa.String(length=16), nullable=False,
                                        server_default='person'))
    # no batch operation: SQLite adds a column in place (a batch copy of collection_case
    # would trip on its expression index and the ledger trigger), its reference inline
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE collection_case ADD COLUMN portfolio_id INTEGER "
                   "CONSTRAINT fk_collection_case_portfolio_id_portfolio REFERENCES portfolio (id)")
    else:
        op.add_column('collection_case', sa.Column('portfolio_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_collection_case_portfolio_id_portfolio'), 'collection_case',
                              'portfolio', ['portfolio_id'], ['id'])
    op.create_index(op.f('ix_collection_case_portfolio_id'), 'collection_case', ['portfolio_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_collection_case_portfolio_id'), table_name='collection_case')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('fk_collection_case_portfolio_id_portfolio'), 'collection_case',
                           type_='foreignkey')
        op.execute("ALTER TABLE collection_case DROP COLUMN portfolio_id")
    else:  # SQLite cannot drop a column its foreign keys name: the table is rebuilt
        with sqlite_rebuild(['collection_case']), op.batch_alter_table('collection_case') as batch:
            batch.drop_column('portfolio_id')
    op.execute("ALTER TABLE creditor DROP COLUMN default_debtor_kind")
    op.drop_index('ix_portfolio_rejection_report', table_name='portfolio_rejection')
    op.create_index('ix_portfolio_rejection_portfolio_id', 'portfolio_rejection', ['portfolio_id'],
                    unique=False)
    op.execute("ALTER TABLE portfolio_rejection DROP COLUMN level")
