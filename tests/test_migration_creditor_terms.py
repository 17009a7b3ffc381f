"""Migration 0005 turns a creditor's old terms and mandate columns into its first terms row
and a mandate row, which the services read back; downgrading puts them back."""
import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from agency import create_app
from agency.domain.contract import ContractTerms
from agency.extensions import db
from tests.test_migrations import _fresh_postgres_schema_url

OLD_CREDITOR = """
    INSERT INTO creditor (id, code, name, country, currency, timezone, locale, jurisdiction,
                          commission_bp, commission_cap_minor, payment_term_days, approval_rules,
                          automation, segment_rule, playbook_name, mandate_reference, mandate_date,
                          mandate_document, created_at, require_two_factor)
    VALUES (7, 'CNSS', 'Caisse', 'MA', 'MAD', 'Africa/Casablanca', 'fr_MA', 'ma', 800, 3000000, 45,
            :approvals, :automation, :rule, 'public-fund-monthly', 'CNSS-AO-2024-17', '2024-06-01',
            'mandat.pdf', '2024-06-03 10:00:00', false)"""
RULE = ('{"basis": "balance", "currency": "MAD", "bands": [{"code": "A", "label": "A", '
        '"min_minor": 100000}, {"code": "B", "label": "B", "min_minor": 0}]}')


@pytest.mark.commits
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_old_columns_become_the_first_terms_and_the_mandate(tmp_path, backend):
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else _fresh_postgres_schema_url()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        upgrade(revision="0006_privacy_access_log")
        with db.engine.begin() as connection:
            connection.execute(text(OLD_CREDITOR), {
                "approvals": '{"letters": "direction"}', "rule": RULE,
                "automation": '{"contact_policy": {"default": {"classic_close": "17:00"}}, '
                              '"counter_call_spacing_minutes": 30}'})
        upgrade(revision="0007_creditor_terms_mandate")
        with db.engine.connect() as connection:
            effective, terms = connection.execute(text(
                "SELECT effective_from, terms FROM creditor_terms WHERE creditor_id = 7")).one()
            mandate = connection.execute(text(
                "SELECT reference, signed_on, document_name FROM creditor_mandate")).one()
            columns = [c["name"] for c in db.inspect(connection).get_columns("creditor")]
        read = ContractTerms.from_dict(terms if isinstance(terms, dict) else json.loads(terms))
        assert str(effective) == "2024-06-03"
        assert read.playbook == "public-fund-monthly" and dict(read.commission_bp) == {
            "amicable": 800, "judicial": 800}
        assert (read.cap_minor, read.payment_term_days) == (3_000_000, 45)
        assert read.action_approvals() == {"letter": "direction"}
        assert read.own_segments and [b.code for b in read.segment_rule.bands] == ["A", "B"]
        assert dict(read.contact_hours["default"]) == {"classic_close": "17:00"}
        assert read.counter_call_spacing_minutes == 30
        assert read == ContractTerms.from_dict(read.to_dict())
        assert (mandate[0], str(mandate[1]), mandate[2]) == ("CNSS-AO-2024-17", "2024-06-01", "mandat.pdf")
        assert "commission_bp" not in columns and "mandate_reference" not in columns
        downgrade(revision="0006_privacy_access_log")
        with db.engine.connect() as connection:
            back = connection.execute(text(
                "SELECT commission_bp, commission_cap_minor, payment_term_days, mandate_reference "
                "FROM creditor WHERE id = 7")).one()
        assert tuple(back) == (800, 3_000_000, 45, "CNSS-AO-2024-17")
        db.engine.dispose()
