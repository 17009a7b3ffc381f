"""agency import FILE --creditor CODE [--mapping FILE] [--sheet NAME] --json."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from agency.cli._output import CommandError, emit, json_option, operator_command
from agency.extensions import db
from agency.domain.intake import IntakeLimits
from agency.models import Creditor
from agency.services.intake import IntakeError, import_file, status_document


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--creditor", "code", required=True, help="The creditor's code.")
@click.option("--mapping", "mapping_path", type=click.Path(exists=True, dir_okay=False),
              help="JSON file {column header: field}; saved for the creditor's next files.")
@click.option("--sheet", help="The XLSX sheet to read (default: the first).")
@json_option
@with_appcontext
@operator_command
def import_command(path, code, mapping_path, sheet, as_json):
    """Import a creditor's portfolio file (CSV or XLSX); re-running it finishes or updates."""
    creditor = db.session.scalar(select(Creditor).where(Creditor.code == code.strip().upper()))
    if creditor is None:
        raise CommandError(f"no creditor {code}")
    mapping = _read_mapping(mapping_path) if mapping_path else None
    try:
        portfolio = import_file(db.session, creditor=creditor, path=path, mapping=mapping,
                                sheet=sheet, commit=db.session.commit,
                                limits=IntakeLimits.from_config(current_app.config))
    except IntakeError as exc:
        raise CommandError(exc.message) from exc
    document = status_document(db.session, portfolio)
    emit(document, as_json, lambda: _human(document))
    if portfolio.status == "refused":
        raise SystemExit(1)


def _read_mapping(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except (OSError, ValueError) as exc:
        raise CommandError(f"unreadable mapping file: {exc}") from exc


def _human(doc: dict) -> str:
    if doc["status"] == "refused":
        return f"refused: {doc['message']}"
    lines = [f"portfolio {doc['id']}: {doc['rows']} rows, {doc['imported']} imported, "
             f"{doc['updated']} updated, {doc['rejected']} rejected, "
             f"{doc['cases_created']} cases and {doc['debtors_created']} debtors created"]
    lines += [f"  line {e['line']}: {e['column'] or '-'}: {e['message']}" for e in doc["errors"]]
    return "\n".join(lines)


def register(cli: click.Group) -> None:
    cli.add_command(import_command)
