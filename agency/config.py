"""Configuration from environment variables, with safe defaults for a demo."""
from __future__ import annotations

import os
import secrets
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


def from_environment() -> dict:
    env = os.environ.get("AGENCY_ENV", "development")
    production = env == "production"
    return {
        "AGENCY_ENV": env,
        "SECRET_KEY": _secret_key(env),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
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
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        # How many proxies in front set each X-Forwarded-* header (0: the header is ignored).
        **{f"PROXY_FIX_X_{name}": int(os.environ.get(f"PROXY_FIX_X_{name}", "0"))
           for name in PROXY_HEADERS},
        "SCHEDULER_INTERVAL": float(os.environ.get("SCHEDULER_INTERVAL", "30")),
        "PERIODIC_SCHEDULE": os.environ.get("PERIODIC_SCHEDULE", ""),
        "AGENCY_NAME": os.environ.get("AGENCY_NAME", "Recouvra"),
        "AGENCY_ADDRESS": os.environ.get("AGENCY_ADDRESS", "12 avenue Léopold Sédar Senghor, Dakar"),
    }
