"""agency action complete / cancel: end an open action as the case page's buttons do."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from agency.cli._output import CommandError, emit, json_option, operator_command
from agency.domain.timezones import parse_instant
from agency.extensions import db
from agency.models import Action
from agency.services.actions import cancel_action, complete_action
from agency.services.cases import action_document


@click.group("action")
def action_group() -> None:
    """Actions of cases (calls, letters, visits...)."""


def _action(action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None:
        raise CommandError(f"no action {action_id}")
    return action


@action_group.command("complete")
@click.argument("action_id", type=int)
@click.option("--outcome", help="How it was done (default: the kind's usual outcome).")
@click.option("--note", help="A note kept with the action.")
@click.option("--at", "at", help="When it was done (ISO 8601; default: now).")
@json_option
@with_appcontext
@operator_command
def complete(action_id, outcome, note, at, as_json):
    """Say an open action was carried out: its step settles, the engine looks again."""
    action = complete_action(db.session, _action(action_id), outcome=outcome, note=note,
                             at=parse_instant(at) if at else None)
    _print(action, as_json)


@action_group.command("cancel")
@click.argument("action_id", type=int)
@click.option("--reason", default="", help="Why it is withdrawn (required).")
@json_option
@with_appcontext
@operator_command
def cancel(action_id, reason, as_json):
    """Withdraw an open action, with the reason."""
    _print(cancel_action(db.session, _action(action_id), reason=reason), as_json)


def _print(action: Action, as_json: bool) -> None:
    document = action_document(action)
    emit(document, as_json, lambda: (
        f"action {document['id']} ({document['kind']}, step {document['step'] or '-'}): "
        f"{document['status']}, {document['outcome'] or '-'}"))


def register(cli: click.Group) -> None:
    cli.add_command(action_group)
