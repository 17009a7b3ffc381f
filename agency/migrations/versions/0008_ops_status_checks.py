"""a status or kind column only ever holds a known value: a CHECK per column

Revision ID: 0008_ops_status_checks
Revises: 0007_creditor_terms_mandate
Create Date: 2026-11-30 14:00:00

Each CHECK is ``column IN (...)`` with the values of the constant that names them in the
code (agency.models.base.one_of), named ck_<table>_<column>; NULL stays allowed where the
column allows it. The values are written out here, as they were when this ran: a later
value needs its own migration (tests/test_status_checks.py compares the database with the
models).

SQLite adds a CHECK only by rebuilding the table (batch mode: copy, drop, rename). Before
that, this drops the triggers (the ledger's balance trigger names collection_case, which a
rename would trip on) and the indexes of the rebuilt tables (an expression index cannot be
reflected, and no reflection must be trusted with a partial one), and afterwards creates
them again from their own SQL, as they were. Foreign keys are off during the rebuild
(agency/migrations/env.py). PostgreSQL adds each CHECK in place, checking existing rows.
"""
from alembic import op

from agency.migrations.sqlite_rebuild import sqlite_rebuild


revision = '0008_ops_status_checks'
down_revision = '0007_creditor_terms_mandate'
branch_labels = None
depends_on = None

APPROVERS = ('direction', 'operations_director', 'finance_manager', 'team_lead', 'creditor')
PARTNERS = ('home_visit', 'bailiff', 'investigator', 'lawyer', 'correspondent')
PLAYBOOK_ROLES = ('collection_officer', 'team_lead', 'finance_manager', 'operations_director',
                  'direction', 'amicable_team', 'judicial_team', 'injunction_team') + PARTNERS
PLAYBOOK_KINDS = ('call', 'sms', 'email', 'summary_email', 'letter', 'visit', 'negotiation_meeting',
                  'formal_notice', 'suspend_service', 'handover', 'investigation', 'injunction_file')
CONTACT = ('valid', 'wrong', 'returned', 'opted_out')

CHECKS = {
    'action': {
        'approval': ('none', 'pending', 'approved', 'rejected'),
        'approver_role': APPROVERS,
        'assignee_role': PLAYBOOK_ROLES + ('agent',),
        'kind': PLAYBOOK_KINDS + ('callback', 'counter_call'),
        'status': ('planned', 'due', 'waiting_approval', 'done', 'skipped', 'cancelled', 'failed'),
    },
    'assignment_rule': {'strategy': ('round_robin', 'by_count', 'by_balance', 'fixed')},
    'call_log': {'outcome': ('reached', 'no_answer', 'busy', 'voicemail', 'wrong_number', 'refused',
                             'promise', 'dispute', 'callback', 'already_paid')},
    'case_engine': {'state': ('active', 'held', 'finished', 'error', 'stopped')},
    'case_step': {
        'reason': ('catch_up', 'held', 'condition_not_met', 'superseded'),
        'status': ('pending', 'done', 'skipped', 'cancelled'),
    },
    'claim': {'kind': ('invoice', 'bill_of_exchange', 'contribution', 'loan_instalment', 'cheque',
                       'other')},
    'collection_case': {
        'phase': ('amicable', 'pre_litigation', 'judicial', 'injunction', 'enforcement', 'closed',
                  'commercial', 'personalised', 'agency_collection', 'creditor'),
        'status': ('open', 'paid', 'closed'),
    },
    'debtor': {'kind': ('person', 'company')},
    'debtor_address': {'status': CONTACT},
    'debtor_email': {'status': CONTACT},
    'debtor_phone': {'status': CONTACT},
    'dispute': {'raised_by': ('debtor', 'agent', 'creditor'),
                'status': ('open', 'resolved', 'rejected')},
    'instalment_plan': {'status': ('proposed', 'active', 'completed', 'broken', 'cancelled')},
    'ledger_entry': {'kind': ('claim', 'fee', 'interest', 'refund', 'payment', 'write_off',
                              'adjustment')},
    'outbound_message': {
        'channel': ('sms', 'email'),
        'status': ('queued', 'sending', 'sent', 'failed', 'cancelled', 'unknown'),
    },
    'partner': {'kind': PARTNERS},
    'partner_task': {
        'kind': PARTNERS,
        'outcome': ('done', 'debtor_found', 'debtor_not_found', 'paid', 'refused', 'impossible'),
        'status': ('sent', 'reported', 'cancelled'),
    },
    'payment_promise': {'status': ('open', 'kept', 'broken', 'cancelled')},
    'personal_data_access': {'channel': ('case_page', 'search', 'api', 'portal', 'export', 'cli')},
    'playbook_step': {'approver_role': APPROVERS},
    'playbook_step_action': {
        'approver_role': APPROVERS,
        'assignee_role': PLAYBOOK_ROLES,
        'kind': PLAYBOOK_KINDS,
        'to_phase': ('amicable', 'commercial', 'personalised', 'pre_litigation', 'judicial',
                     'injunction', 'enforcement', 'agency_collection', 'creditor'),
        'to_team': ('amicable_team', 'judicial_team', 'injunction_team'),
    },
    'playbook_version': {'catch_up': ('skip', 'all'), 'resume': ('stay', 'shift')},
    'portfolio': {
        'source': ('portal', 'backoffice', 'api', 'cli'),
        'status': ('uploaded', 'queued', 'running', 'done', 'refused', 'failed'),
    },
    'team': {'code': ('amicable', 'judicial', 'injunction')},
    'user': {'role': ('admin', 'direction', 'team_lead', 'agent', 'creditor')},
}


def _in(values):
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade():
    with sqlite_rebuild(CHECKS):
        for table, columns in CHECKS.items():
            with op.batch_alter_table(table) as batch:
                for column, values in columns.items():
                    batch.create_check_constraint(op.f(f"ck_{table}_{column}"), f"{column} IN {_in(values)}")


def downgrade():
    with sqlite_rebuild(CHECKS):
        for table, columns in CHECKS.items():
            with op.batch_alter_table(table) as batch:
                for column in columns:
                    batch.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
