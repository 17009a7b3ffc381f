"""Configuration from environment variables, with safe defaults for a demo."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("AGENCY_INSTANCE_PATH", ROOT / "instance"))
PROXY_HEADERS = ("FOR", "PROTO", "HOST", "PORT", "PREFIX")  # X-Forwarded-<name>, ProxyFix's x_<name>


def database_url(raw: str | None) -> str:
    """Normalise a DATABASE_URL: PostgreSQL goes through psycopg 3."""
    if not raw:
        return f"sqlite:///{INSTANCE / 'recouvra.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def _secret_key(env: str) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise RuntimeError("SECRET_KEY must be set when AGENCY_ENV=production")
    # Development: a random key kept in instance/ so sessions survive a restart.
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


# The portfolio intake's limits (agency.domain.intake.limits.IntakeLimits holds the
# defaults): set only those the environment names.
INTAKE_LIMITS = ("INTAKE_MAX_UNPACKED_MB", "INTAKE_MAX_PART_MB", "INTAKE_MAX_RATIO",
                 "INTAKE_MAX_PARTS", "INTAKE_MAX_ROWS", "INTAKE_MAX_COLUMNS", "INTAKE_MAX_LINE_KB",
                 "INTAKE_MAX_CLAIMS_PER_CASE")


def from_environment() -> dict:
    env = os.environ.get("AGENCY_ENV", "development")
    production = env == "production"
    return {
        "AGENCY_ENV": env,
        "SECRET_KEY": _secret_key(env),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Sessions end after this much inactivity, and this long after login in any case.
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(os.environ.get("SESSION_MAX_HOURS", "12")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("SESSION_MAX_HOURS", "12"))),
        # Login attempts per client address and per email typed (Flask-Limiter), on top of
        # the lock after failures in a row (agency.domain.accounts).
        "LOGIN_RATE_PER_ADDRESS": os.environ.get("LOGIN_RATE_PER_ADDRESS", "30 per minute;300 per hour"),
        "LOGIN_RATE_PER_ACCOUNT": os.environ.get("LOGIN_RATE_PER_ACCOUNT", "10 per minute;60 per hour"),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto headers are trusted.
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": ("fr", "en"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "200")) * 1024 * 1024,
        # Where creditors' signed mandates are kept (default: the instance folder's mandates/).
        "MANDATE_FOLDER": os.environ.get("MANDATE_FOLDER") or None,
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY"),
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY"),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET"),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE"),
        "TWILIO_ACCOUNT_SID": os.environ.get("TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": os.environ.get("TWILIO_AUTH_TOKEN"),
        "TWILIO_FROM": os.environ.get("TWILIO_FROM"),
        "TWILIO_API_BASE": os.environ.get("TWILIO_API_BASE"),
        "SMTP_HOST": os.environ.get("SMTP_HOST"),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "SMTP_USER": os.environ.get("SMTP_USER"),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "recouvrement@recouvra.local"),
        # Where the local outbox (no SMTP/Twilio configured) writes what it "delivers".
        "OUTBOX_DIR": os.environ.get("OUTBOX_DIR") or str(INSTANCE / "outbox"),
        # Personal data: kept after a debtor's last case closed for the limitation period of
        # its jurisdiction (agency.domain.retention) plus this margin; RETENTION_YEARS
        # overrides periods, e.g. "fr:person=2,fr=5,ohada=5,ma=5".
        "RETENTION_MARGIN_DAYS": int(os.environ.get("RETENTION_MARGIN_DAYS", "90")),
        "RETENTION_YEARS": os.environ.get("RETENTION_YEARS", ""),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        # How many proxies in front set each X-Forwarded-* header (0: the header is ignored).
        **{f"PROXY_FIX_X_{name}": int(os.environ.get(f"PROXY_FIX_X_{name}", "0"))
           for name in PROXY_HEADERS},
        "SCHEDULER_INTERVAL": float(os.environ.get("SCHEDULER_INTERVAL", "30")),
        "PERIODIC_SCHEDULE": os.environ.get("PERIODIC_SCHEDULE", ""),
        "AGENCY_NAME": os.environ.get("AGENCY_NAME", "Recouvra"),
        "AGENCY_ADDRESS": os.environ.get("AGENCY_ADDRESS", "12 avenue Léopold Sédar Senghor, Dakar"),
        "PARTNER_DOCUMENT_MAX_MB": int(os.environ.get("PARTNER_DOCUMENT_MAX_MB", "20")),
        **{name: int(os.environ[name]) for name in INTAKE_LIMITS if os.environ.get(name)},
    }
