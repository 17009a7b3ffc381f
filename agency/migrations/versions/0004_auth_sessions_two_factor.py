"""revocable sessions, two-factor sign-in and the login lock

Revision ID: 0004_auth_sessions_two_factor
Revises: 0003_case_engine_indexes
Create Date: 2026-11-30 14:00:00

A signed-in browser is a user_session row (the cookie carries its random id, the row its
SHA-256), so logout, a password change or an admin end it at once; a user may confirm a TOTP
secret and keep hashed recovery codes; login_throttle counts failed logins per email typed;
a creditor may require the second factor of its users.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_auth_sessions_two_factor'
down_revision = '0003_case_engine_indexes'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN, in place on SQLite too: a batch copy of "user" would drop a table
    # every other table refers to
    op.add_column('user', sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('user', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.add_column('user', sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('user', sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.add_column('creditor', sa.Column('require_two_factor', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.create_table(
        'user_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_by', sa.String(length=16), nullable=True),
        sa.Column('user_agent', sa.String(length=255), nullable=True),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name='fk_user_session_user_id_user'),
        sa.PrimaryKeyConstraint('id', name='pk_user_session'),
        sa.UniqueConstraint('token_hash', name='uq_user_session_token_hash'),
    )
    op.create_index('ix_user_session_user_id', 'user_session', ['user_id'], unique=False)
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name='fk_recovery_code_user_id_user'),
        sa.PrimaryKeyConstraint('id', name='pk_recovery_code'),
    )
    op.create_index('ix_recovery_code_user_id', 'recovery_code', ['user_id'], unique=False)
    op.create_table(
        'login_throttle',
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('subject', name='pk_login_throttle'),
    )


def downgrade():
    op.drop_table('login_throttle')
    op.drop_index('ix_recovery_code_user_id', table_name='recovery_code')
    op.drop_table('recovery_code')
    op.drop_index('ix_user_session_user_id', table_name='user_session')
    op.drop_table('user_session')
    # SQLite (3.35 and later) drops a column in place, as 0002 does
    op.execute('ALTER TABLE creditor DROP COLUMN require_two_factor')
    for column in ('totp_last_step', 'totp_enabled_at', 'totp_secret', 'password_changed_at'):
        op.execute(f'ALTER TABLE "user" DROP COLUMN {column}')
