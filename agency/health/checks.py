"""The checks of what lives beside the queues: database, daily pass, providers, disk."""
from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from agency.config import ROOT
from agency.models import EnginePass

MIGRATIONS = ROOT / "agency" / "migrations"
PASS_STALE = timedelta(days=2)
DISK_MIN_FREE_BYTES = 1 << 30
DISK_MIN_FREE_SHARE = 0.05
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    facts: dict = field(default_factory=dict)

    def document(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "facts": self.facts}


def ago(instant: datetime, now: datetime) -> str:
    seconds = int((now - instant).total_seconds())
    if abs(seconds) < 120:
        return f"{seconds} s ago"
    return f"{seconds // 60} min ago" if abs(seconds) < 7200 else f"{seconds // 3600} h ago"


def database(session: Session) -> Check:
    """Reachable, and its migrations at the code's head."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = sorted(ScriptDirectory.from_config(config).get_heads())
    connection = session.connection()
    # Read as Alembic keeps it, without a MigrationContext (which logs on every configure).
    current = sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
                     if inspect(connection).has_table("alembic_version") else [])
    facts = {"dialect": session.get_bind().dialect.name, "current": current, "head": heads}
    if current == heads:
        return Check("database", True, f"{facts['dialect']}, migrations at head {', '.join(heads)}", facts)
    return Check("database", False, f"database at {', '.join(current) or 'no revision'}, code at "
                 f"{', '.join(heads)}: run `agency db upgrade`", facts)


def daily_pass(session: Session, now: datetime) -> Check:
    """The last pass: when, how long it took, what it did; stale after two days."""
    last = session.scalar(select(EnginePass).order_by(EnginePass.id.desc()).limit(1))
    if last is None:
        return Check("daily_pass", True, "no pass has run yet", {})
    took = round((last.finished_at - last.started_at).total_seconds(), 1) if last.finished_at else None
    counts = last.counts or {}
    facts = {"at": last.at.isoformat(), "duration_s": took, "cases": counts.get("cases"),
             "actions_created": counts.get("actions_created"), "errors": counts.get("errors")}
    detail = (f"last pass at {last.at:%Y-%m-%d %H:%M} UTC ({ago(last.at, now)}), "
              f"{took if took is not None else '?'} s, {facts['cases']} case(s), "
              f"{facts['actions_created']} action(s), {facts['errors']} error(s)")
    if now - last.at > PASS_STALE:
        return Check("daily_pass", False, detail + ": none for two days", facts)
    return Check("daily_pass", True, detail, facts)


def providers(config: Mapping) -> Check:
    """Which providers are configured, whether an API base is a local stand-in; a half
    configured one fails, and in production so does a channel left to the local outbox."""
    production = config.get("AGENCY_ENV") == "production"
    found = [_provider("sms", "Twilio", config, ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"),
                       "TWILIO_API_BASE"),
             _provider("email", "SMTP", config, ("SMTP_HOST",), None),
             _provider("payments", "Stripe", config, ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY",
                                                      "STRIPE_WEBHOOK_SECRET"), "STRIPE_API_BASE")]
    problems = [f["problem"] for f in found if f["problem"]]
    if production:
        problems += [f"{f['channel']}: {f['state']} in production" for f in found
                     if f["state"] in ("local outbox", "local stand-in")]
    detail = "; ".join(f"{f['channel']}: {f['state']}" for f in found)
    return Check("providers", not problems, "; ".join(problems) or detail,
                 {f["channel"]: f["state"] for f in found})


def _provider(channel: str, name: str, config: Mapping, keys: tuple[str, ...], base_key: str | None) -> dict:
    missing = [key for key in keys if not config.get(key)]
    if len(missing) == len(keys):
        state = "not configured" if channel == "payments" else "local outbox"
        return {"channel": channel, "state": state, "problem": None}
    if missing:
        return {"channel": channel, "state": f"{name} half configured",
                "problem": f"{channel}: {name} lacks {', '.join(missing)}"}
    base = config.get(base_key) if base_key else None
    if base and urlparse(base).hostname in LOCAL_HOSTS:
        return {"channel": channel, "state": "local stand-in", "problem": None}
    return {"channel": channel, "state": name, "problem": None}


def disk(instance_path: str) -> Check:
    """Free space where uploads and SQLite live; fails under 1 GiB or 5 %."""
    path = Path(instance_path)
    while not path.exists():
        path = path.parent
    usage = shutil.disk_usage(path)
    share = usage.free / usage.total
    facts = {"path": str(instance_path), "free_bytes": usage.free, "total_bytes": usage.total}
    detail = f"{usage.free / (1 << 30):.1f} GiB free of {usage.total / (1 << 30):.1f} GiB ({share:.0%}) at {path}"
    return Check("disk", usage.free >= DISK_MIN_FREE_BYTES and share >= DISK_MIN_FREE_SHARE, detail, facts)
