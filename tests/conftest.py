"""Test fixtures: a real database built by the migrations, one transaction per test.

TEST_DATABASE_URL picks the database (default: a SQLite file in a temp dir);
TEST_REDIS_URL the Redis (default redis://127.0.0.1:6379/15). A test that needs a
service and cannot reach it fails: nothing here skips.
"""
from __future__ import annotations

import contextvars
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from agency import create_app
from agency.config import database_url
from agency.domain.timezones import UTC
from agency.extensions import db, limiter
from agency.models.append_only import APPEND_ONLY_TABLES, append_only_ddl, append_only_drop
from agency.services.audit import Actor, audit_scope
from tests.factories import (  # noqa: F401 - fixtures
    login, make_case, make_creditor, make_debtor, make_user)

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
_TMP = Path(tempfile.mkdtemp(prefix="recouvra-tests-"))
TEST_DATABASE_URL = database_url(os.environ.get("TEST_DATABASE_URL")
                                 or f"sqlite:///{_TMP / 'test.db'}")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _reset_database(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    elif url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def app():
    """The app on a schema built once by the migrations, from empty."""
    _reset_database(TEST_DATABASE_URL)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "REDIS_URL": TEST_REDIS_URL,
        "QUEUE_MODE": "sync",
        # What protects users in production stays on: CSRF, Secure cookies, https links.
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
        "PREFERRED_URL_SCHEME": "https",
        "SERVER_NAME": "recouvra.test",
        "OUTBOX_DIR": str(_TMP / "outbox"),
    })
    with app.app_context():
        if os.environ.get("RECOUVRA_TEST_SCHEMA") == "models":
            db.create_all()  # while a change's migration is not written yet
        else:
            from flask_migrate import upgrade
            upgrade()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def login_limits(app):
    """Flask-Limiter counts in the real Redis (TEST_REDIS_URL): every test starts with none."""
    with app.app_context():
        limiter.reset()
    yield
    with app.app_context():
        limiter.reset()


@pytest.fixture(autouse=True)
def session(app, request, monkeypatch):
    """db.session inside one outer transaction, rolled back after the test; a test
    marked ``commits`` really commits and the tables are emptied after it."""
    with app.app_context():
        if request.node.get_closest_marker("commits"):
            yield db.session
            db.session.remove()
            _truncate_all()
            return
        connection = db.engine.connect()
        outer = connection.begin()
        db.session.remove()
        monkeypatch.setitem(db.engines, None, connection)
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")
        try:
            yield db.session
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            db.session.session_factory.kw.pop("join_transaction_mode", None)


def _truncate_all() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            # SQLite has no TRUNCATE (which PostgreSQL's row triggers do not see): lift the
            # append-only triggers for the cleanup, in the same transaction.
            for name in APPEND_ONLY_TABLES:
                for statement in append_only_drop("sqlite", name):
                    connection.exec_driver_sql(statement)
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))
            for name, redactable in APPEND_ONLY_TABLES.items():
                columns = [c.name for c in db.metadata.tables[name].columns]
                for statement in append_only_ddl("sqlite", name, columns, redactable):
                    connection.exec_driver_sql(statement)


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class BrowserClient(FlaskClient):
    """A test client that behaves as a browser does: over https, each request in its own
    app context (the test's own context must not leak ``g``, the user or the locale), and
    a form it posts carries the CSRF token read from a page the server gave it, with the
    page as Referer. ``csrf=False`` posts without one (what a forged request does)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["wsgi.url_scheme"] = "https"

    def open(self, *args, csrf: bool = True, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method == "POST" and "json" not in kwargs and not _token_exempt(args, kwargs):
            token, page = self.csrf_token()
            data = kwargs.get("data")
            data = {} if data is None else (data.copy() if hasattr(data, "copy") else dict(data))
            if hasattr(data, "setdefault"):
                data.setdefault("csrf_token", token)
            kwargs["data"] = data
            headers = dict(kwargs.get("headers") or {})
            headers.setdefault("Referer", page)
            kwargs["headers"] = headers
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self, path: str = "/login") -> tuple[str, str]:
        """The token a browser would find in the page at ``path`` (this session's)."""
        page = f"https://recouvra.test{path}"
        html = contextvars.Context().run(super().open, path, method="GET").get_data(as_text=True)
        found = CSRF_FIELD.search(html)
        assert found, f"no CSRF token in {path}"
        return found.group(1), page


def _token_exempt(args, kwargs) -> bool:
    """Token-authenticated and signed endpoints carry no cookie, hence no CSRF token."""
    path = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "")
    return path.startswith(("/api/", "/webhooks/")) or "Authorization" in (kwargs.get("headers") or {})


@pytest.fixture
def client(app):
    app.test_client_class = BrowserClient
    return app.test_client()


class AgencyRunner:
    """Invokes the `agency` command group against the test app."""

    def __init__(self, app):
        self._runner = app.test_cli_runner()

    def invoke(self, args, **kwargs):
        from agency.cli import cli
        return self._runner.invoke(cli, args=args, **kwargs)


@pytest.fixture
def runner(app):
    return AgencyRunner(app)


@pytest.fixture
def scope(session):
    """An audit scope for services called directly by a test."""
    with audit_scope(session, Actor.system("test"), T0) as active:
        yield active


@pytest.fixture
def redis_conn():
    """The real Redis on its own DB number, flushed after the test."""
    from redis import Redis
    connection = Redis.from_url(TEST_REDIS_URL)
    connection.ping()  # fails loudly when Redis is not there
    yield connection
    connection.flushdb()
    connection.close()

