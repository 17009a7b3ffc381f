"""agency worklist: an agent's call queue at an instant."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from agency.cli._output import CommandError, emit, json_option, operator_command
from agency.domain.timezones import now_utc, parse_instant
from agency.extensions import db
from agency.services.directory import find_user
from agency.services.calls.worklist import build_worklist


@click.command("worklist")
@click.option("--agent", "email", required=True, help="The agent's email.")
@click.option("--at", "at", help="ISO instant (default: now); without an offset it is UTC.")
@json_option
@with_appcontext
@operator_command
def worklist(email, at, as_json):
    """Print the debtors the agent may call at that instant, best first."""
    agent = find_user(db.session, email)
    if agent is None:
        raise CommandError(f"no user {email}")
    try:
        instant = parse_instant(at) if at else now_utc()
    except ValueError as exc:
        raise CommandError(f"not an ISO instant: {at}") from exc
    entries = [e.document() for e in build_worklist(db.session, agent, instant)]

    def human() -> str:
        if not entries:
            return "nobody to call now"
        return "\n".join(f"{e['case']:<16} {e['debtor'][:30]:<30} {e['phone']:<16} "
                         f"{e['local_time'][11:16]} {e['reason']}" for e in entries)
    emit(entries, as_json, human)


def register(cli: click.Group) -> None:
    cli.add_command(worklist)
