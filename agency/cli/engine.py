"""agency tick: run the playbooks' daily pass at an instant."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from agency.cli._output import emit, json_option, operator_command
from agency.domain.timezones import now_utc, parse_instant
from agency.extensions import db
from agency.services.audit import Actor, audit_scope
from agency.services.engine.daily import run_pass


@click.command("tick")
@click.option("--at", "at", help="The instant to run at (ISO 8601; default: now).")
@click.option("--batch-size", default=20_000, show_default=True, help="Cases per batch.")
@json_option
@with_appcontext
@operator_command
def tick(at, batch_size, as_json):
    """Run what the playbooks have due at an instant; a second run at it does nothing."""
    now = parse_instant(at) if at else now_utc()
    with audit_scope(db.session, Actor.system("tick"), now):
        counts = run_pass(db.session, now=now, batch_size=batch_size)
    emit(counts, as_json, lambda: (
        f"tick at {counts['at']}: {counts['cases']} case(s) looked at, "
        f"{counts['actions_created']} action(s) created, {counts['skipped']} step(s) skipped, "
        f"{counts['waiting_approval']} waiting for approval"))


def register(cli: click.Group) -> None:
    cli.add_command(tick)
