"""Recouvra: the case-management platform of a debt collection agency."""
from __future__ import annotations

import sqlite3

from flask import Flask, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from agency import models  # noqa: F401 - registers the tables
from agency.access import check_access
from agency.api.v1 import bp as api_v1_bp
from agency.auth import bp as auth_bp
from agency.backoffice import bp as backoffice_bp
from agency import oplog
from agency.config import INSTANCE, PROXY_HEADERS, ROOT, from_environment
from agency.creditor_portal import bp as creditor_portal_bp
from agency.auth.sessions import init_sessions
from agency.errors import register_error_pages
from agency.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
from agency.i18n import compile_catalogs
from agency.partner_links import bp as partner_links_bp
from agency.templating import register_filters
from agency.web import params
from debtor_portal import bp as debtor_portal_bp


def create_app(config: dict | None = None) -> Flask:
    """Build the web app; ``config`` overrides the environment (tests)."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(INSTANCE))
    app.config.update(from_environment())
    app.config.update(config or {})
    oplog.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    _trust_proxies(app)
    _init_extensions(app)
    params.init_app(app)  # before the blueprints: their <int:...> rules use its converter
    _register_blueprints(app)
    _register_hooks(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind a reverse proxy: take the client's address, scheme and host from the
    X-Forwarded-* headers the configured number of proxies set, and from nobody else."""
    counts = {f"x_{name.lower()}": app.config[f"PROXY_FIX_X_{name}"] for name in PROXY_HEADERS}
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)


def _init_extensions(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "agency" / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    compile_catalogs()
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories=str(ROOT / "agency" / "translations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    init_sessions()
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)  # Redis down: still limited
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)


def _select_locale() -> str:
    languages = ("fr", "en")
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or "fr"


def _register_blueprints(app: Flask) -> None:

    app.register_blueprint(auth_bp)
    app.register_blueprint(backoffice_bp)
    app.register_blueprint(creditor_portal_bp, url_prefix="/portal")
    app.register_blueprint(api_v1_bp, url_prefix="/api/v1")
    app.register_blueprint(debtor_portal_bp, url_prefix="/d")
    app.register_blueprint(partner_links_bp, url_prefix="/p")
    csrf.exempt(api_v1_bp)  # token-authenticated, no cookies


def _register_hooks(app: Flask) -> None:

    app.before_request(check_access)
    register_filters(app)
    register_error_pages(app)
    production = app.config.get("AGENCY_ENV") == "production"

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'")
        response.headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for older browsers
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if production or request.is_secure:  # browsers ignore it over plain http anyway
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, write-ahead log (readers never wait for a writer),
    wait up to 30 s for the write lock, and let SQLAlchemy drive transactions."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """Every SQLite transaction takes the write lock when it begins (waiting for it up to
    the busy timeout). A deferred transaction that reads, then writes after another
    process (the worker, the scheduler) committed, fails at once with "database is
    locked": SQLite cannot wait there, its snapshot is stale. Web requests, workers and
    the scheduler of `agency serve` share one SQLite file, so they queue instead."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
