"""creditor terms by version, the written mandate, letters' language, kept annual billed

Revision ID: 0007_creditor_terms_mandate
Revises: 0006_privacy_access_log
Create Date: 2026-11-30 16:00:00

A creditor's contract terms become versioned rows (creditor_terms, one per change, in force
from a day) and its mandate rows of its own (creditor_mandate, with the signed document's
name and SHA-256). Each existing creditor's terms columns become its first terms row
(effective from its creation day), its mandate columns a mandate row; the columns are then
dropped: their readers read the terms in force (agency.services.creditors.terms).
playbook_name stays, kept equal to the playbook of the terms in force. A case keeps the
annual billed amount its file gave, so a new segmentation rule can be applied later.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0007_creditor_terms_mandate'
down_revision = '0006_privacy_access_log'
branch_labels = None
depends_on = None

ACTION_KINDS = ("call", "sms", "email", "summary_email", "letter", "visit",
                "negotiation_meeting", "formal_notice", "suspend_service", "handover",
                "investigation", "injunction_file")
OLD_COLUMNS = (
    ('commission_bp', sa.Integer(), '0'), ('commission_cap_minor', sa.BigInteger(), None),
    ('payment_term_days', sa.Integer(), '30'), ('approval_rules', sa.JSON(), "'{}'"),
    ('automation', sa.JSON(), "'{}'"), ('segment_rule', sa.JSON(), None),
    ('mandate_reference', sa.String(length=64), None), ('mandate_date', sa.Date(), None),
    ('mandate_document', sa.String(length=255), None),
)
creditor = sa.table(
    'creditor', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime),
    sa.column('playbook_name', sa.String), *(sa.column(name, kind) for name, kind, _ in OLD_COLUMNS))
terms_table = sa.table(
    'creditor_terms', sa.column('id', sa.Integer), sa.column('creditor_id', sa.Integer),
    sa.column('effective_from', sa.Date), sa.column('terms', sa.JSON),
    sa.column('created_by', sa.String), sa.column('created_at', sa.DateTime),
    sa.column('reason', sa.Text))
mandate_table = sa.table(
    'creditor_mandate', sa.column('id', sa.Integer), sa.column('creditor_id', sa.Integer),
    sa.column('reference', sa.String), sa.column('signed_on', sa.Date),
    sa.column('document_name', sa.String), sa.column('created_by', sa.String),
    sa.column('created_at', sa.DateTime), sa.column('reason', sa.Text))


def upgrade():
    op.add_column('collection_case', sa.Column('annual_billed_minor', sa.BigInteger(), nullable=True))
    op.add_column('creditor', sa.Column('language', sa.String(length=8), nullable=False,
                                        server_default='fr'))
    op.create_table(
        'creditor_terms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('creditor_id', sa.Integer(), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('terms', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['creditor_id'], ['creditor.id'],
                                name='fk_creditor_terms_creditor_id_creditor'),
        sa.PrimaryKeyConstraint('id', name='pk_creditor_terms'),
    )
    op.create_index('ix_creditor_terms_creditor_from', 'creditor_terms',
                    ['creditor_id', 'effective_from'], unique=False)
    op.create_table(
        'creditor_mandate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('creditor_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=64), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=False),
        sa.Column('basis', sa.Text(), nullable=True),
        sa.Column('amount_minor', sa.BigInteger(), nullable=True),
        sa.Column('fees', sa.Text(), nullable=True),
        sa.Column('remittance_method', sa.Text(), nullable=True),
        sa.Column('remittance_days', sa.Integer(), nullable=True),
        sa.Column('document_path', sa.String(length=500), nullable=True),
        sa.Column('document_name', sa.String(length=255), nullable=True),
        sa.Column('document_sha256', sa.String(length=64), nullable=True),
        sa.Column('document_type', sa.String(length=64), nullable=True),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['creditor_id'], ['creditor.id'],
                                name='fk_creditor_mandate_creditor_id_creditor'),
        sa.PrimaryKeyConstraint('id', name='pk_creditor_mandate'),
    )
    op.create_index('ix_creditor_mandate_creditor_id', 'creditor_mandate', ['creditor_id'],
                    unique=False)
    _move_columns_to_rows()
    # SQLite (3.35 and later) drops a plain column in place, as 0002 and 0004 do
    for name, _, _ in OLD_COLUMNS:
        op.execute(f'ALTER TABLE creditor DROP COLUMN {name}')


def _move_columns_to_rows():
    bind = op.get_bind()
    now = datetime.now(timezone.utc)
    if bind.dialect.name == 'sqlite':
        now = now.replace(tzinfo=None)
    for row in bind.execute(sa.select(creditor)).mappings().all():
        bind.execute(terms_table.insert().values(
            creditor_id=row['id'], effective_from=_day(row['created_at']), terms=_terms(row),
            created_by='system:migration', created_at=now,
            reason='conditions enregistrées avant leur versionnement'))
        if row['mandate_reference']:
            bind.execute(mandate_table.insert().values(
                creditor_id=row['id'], reference=row['mandate_reference'],
                signed_on=row['mandate_date'] or _day(row['created_at']),
                document_name=row['mandate_document'], created_by='system:migration',
                created_at=now, reason='mandat enregistré avant son versionnement'))


def _day(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.date()


def _terms(row) -> dict:
    """ContractTerms.to_dict() of the old columns (agency.domain.contract.terms, as of 0005)."""
    approvals = {'plan_outside_bounds': 'creditor', 'discount_beyond_limit': 'creditor'}
    for key, role in (row['approval_rules'] or {}).items():
        kind = key if key in ACTION_KINDS else key.removesuffix('s')
        if kind in ACTION_KINDS:
            approvals[kind] = role
    automation = row['automation'] or {}
    policy = automation.get('contact_policy') or {}
    return {
        'playbook': row['playbook_name'], 'segments': row['segment_rule'] or None,
        'own_segments': bool(row['segment_rule']),
        'commission_bp': {'amicable': row['commission_bp'] or 0,
                          'judicial': row['commission_bp'] or 0},
        'cap_minor': row['commission_cap_minor'], 'fixed_fee_minor': 0, 'vat_bp': 0,
        'remittance_days': 30, 'payment_term_days': row['payment_term_days'],
        'plan': {'max_instalments': 12, 'min_instalment_minor': 0, 'max_months': 12,
                 'days': [5, 15, 25]},
        'partial_payment_min_minor': 0, 'discount_max_bp': 0,
        'approvals': dict(sorted(approvals.items())), 'automations': {},
        'channels': ['call', 'sms', 'email', 'letter'],
        'contact_hours': {key: dict(value) for key, value in sorted(policy.items())},
        'counter_call_spacing_minutes': int(automation.get('counter_call_spacing_minutes', 120)),
    }


def downgrade():
    for name, kind, default in OLD_COLUMNS:
        op.add_column('creditor', sa.Column(name, kind, nullable=True,
                                            server_default=sa.text(default) if default else None))
    bind = op.get_bind()
    latest = {}
    for row in bind.execute(sa.select(terms_table).order_by(
            terms_table.c.effective_from, terms_table.c.id)).mappings():
        latest[row['creditor_id']] = row['terms']
    for creditor_id, terms in latest.items():
        bind.execute(creditor.update().where(creditor.c.id == creditor_id).values(
            commission_bp=terms['commission_bp']['amicable'],
            commission_cap_minor=terms['cap_minor'], payment_term_days=terms['payment_term_days'],
            approval_rules={k: v for k, v in terms['approvals'].items() if k in ACTION_KINDS},
            automation={'contact_policy': terms['contact_hours'],
                        'counter_call_spacing_minutes': terms['counter_call_spacing_minutes']},
            segment_rule=terms['segments']))
    for row in bind.execute(sa.select(mandate_table).order_by(mandate_table.c.id)).mappings():
        bind.execute(creditor.update().where(creditor.c.id == row['creditor_id']).values(
            mandate_reference=row['reference'], mandate_date=row['signed_on'],
            mandate_document=row['document_name']))
    op.drop_index('ix_creditor_mandate_creditor_id', table_name='creditor_mandate')
    op.drop_table('creditor_mandate')
    op.drop_index('ix_creditor_terms_creditor_from', table_name='creditor_terms')
    op.drop_table('creditor_terms')
    op.execute('ALTER TABLE creditor DROP COLUMN language')
    op.execute('ALTER TABLE collection_case DROP COLUMN annual_billed_minor')
