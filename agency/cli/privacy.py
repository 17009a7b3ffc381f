"""agency privacy purge: erase the personal data whose retention period ended."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from agency.cli._output import emit, json_option, operator_command
from agency.domain.timezones import now_utc, parse_instant
from agency.extensions import db
from agency.services.audit import Actor, audit_scope
from agency.services.privacy.purge import policy_from_settings, purge, remove_documents


@click.group("privacy")
def privacy_group() -> None:
    """Personal data (retention, purge)."""


@privacy_group.command("purge")
@click.option("--dry-run", is_flag=True, help="List what would be erased; change nothing.")
@click.option("--at", "at", help="The instant to judge retention at (ISO 8601; default: now).")
@click.option("--limit", default=500, show_default=True, help="Debtors at most in this run.")
@json_option
@with_appcontext
@operator_command
def purge_command(dry_run, at, limit, as_json):
    """Anonymise the debtors whose last case closed longer ago than their retention period."""
    now = parse_instant(at) if at else now_utc()
    with audit_scope(db.session, Actor.system("cli"), now, reason="retention period ended"):
        outcomes = purge(db.session, policy_from_settings(current_app.config), dry_run=dry_run,
                         limit=limit)
    if not dry_run:
        db.session.commit()
        remove_documents([path for outcome in outcomes for path in outcome.documents])
    document = {"ok": True, "dry_run": dry_run, "at": now.isoformat(),
                "debtors": [outcome.as_dict() for outcome in outcomes]}
    emit(document, as_json, lambda: "\n".join(
        [f"{'would purge' if dry_run else 'purged'} {len(outcomes)} debtor(s) at {now.isoformat()}"]
        + [f"  debtor {o.due.debtor_id} ({', '.join(ref for _i, ref in o.due.cases)}): kept until "
           f"{o.due.keep_until.date()}, {sum(o.erased.values())} row(s)" for o in outcomes]))


def register(cli: click.Group) -> None:
    cli.add_command(privacy_group)
