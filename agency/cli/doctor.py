"""agency doctor: one verdict per part of the platform; exit 1 when one fails."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from agency.cli._output import emit, json_option
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.health import run_checks


@click.command("doctor")
@json_option
@with_appcontext
def doctor(as_json: bool) -> None:
    """Check the database, Redis, the workers, the scheduler, the providers and the disk."""
    checks = run_checks(current_app.config, db.session, current_app.instance_path, now_utc())
    db.session.rollback()  # it only read
    ok = all(check.ok for check in checks)
    emit({"ok": ok, "checks": [check.document() for check in checks]}, as_json, lambda: "\n".join(
        f"{'ok  ' if check.ok else 'FAIL'}  {check.name:<12} {check.detail}" for check in checks))
    if not ok:
        sys.exit(1)


def register(cli: click.Group) -> None:
    cli.add_command(doctor)
