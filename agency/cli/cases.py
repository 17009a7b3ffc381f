"""agency case show."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from agency.cli._output import CommandError, emit, json_option, operator_command
from agency.extensions import db
from agency.services.cases import case_document, find_case
from agency.services.privacy.access import log_access


@click.group("case")
def case_group() -> None:
    """Cases (dossiers)."""


@case_group.command("show")
@click.argument("ref")
@json_option
@with_appcontext
@operator_command
def show_case(ref, as_json):
    """Show a case by our reference or CREDITOR_CODE/EXTERNAL_REF."""
    case = find_case(db.session, ref)
    if case is None:
        raise CommandError(f"no case {ref}")
    document = case_document(db.session, case)
    log_access(db.session, "cli", route="agency case show", cases=[case])
    emit(document, as_json)


def register(cli: click.Group) -> None:
    cli.add_command(case_group)
