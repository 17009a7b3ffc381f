"""Migrations run from empty on SQLite and PostgreSQL, down and up, and match the models."""
import os
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from agency import create_app
from agency.extensions import db

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _fresh_postgres_schema_url(schema="migration_check"):
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return POSTGRES_URL + f"?options=-csearch_path%3D{schema}"


@pytest.mark.commits
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_from_empty(tmp_path, backend):
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else _fresh_postgres_schema_url()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        with db.engine.connect() as connection, warnings.catch_warnings():
            # Alembic cannot compare expression indexes (SQLite does not reflect them,
            # PostgreSQL renders the expression its own way): check they exist instead.
            warnings.filterwarnings("ignore", ".*expression-based index")
            diff = [d for d in compare_metadata(MigrationContext.configure(connection), db.metadata)
                    if not (d[0] in ("add_index", "remove_index") and d[1].name in EXPRESSION_INDEXES)]
            indexes = set(_index_names(connection))
        db.engine.dispose()
    assert diff == []
    assert EXPRESSION_INDEXES <= indexes


EXPRESSION_INDEXES = {"ix_case_queue_walk"}


def _index_names(connection):
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return connection.execute(text(query)).scalars()


@pytest.mark.commits
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_building_from_the_models_gives_the_same_triggers(tmp_path, backend):
    """The benches and `RECOUVRA_TEST_SCHEMA=models` build the schema with create_all():
    the append-only triggers (a plpgsql body with "%" in it) come with it."""
    url = (f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite"
           else _fresh_postgres_schema_url("models_check"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        db.create_all()
        with db.engine.connect() as connection:
            if backend == "sqlite":
                names = connection.execute(text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
            else:
                names = connection.execute(text(
                    "SELECT tgname FROM pg_trigger JOIN pg_class c ON c.oid = tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND NOT tgisinternal")).scalars().all()
        db.engine.dispose()
    assert any(name.startswith("ledger_entry_append_only") for name in names)
    assert any(name.startswith("audit_event_append_only") for name in names)
