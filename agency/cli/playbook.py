"""agency playbook export/import/list: playbooks as YAML or JSON data."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from agency.cli._output import CommandError, emit, json_option, operator_command
from agency.domain.playbook import PlaybookError
from agency.extensions import db
from agency.services.engine.playbooks import export_playbook, import_playbook, list_playbooks


@click.group("playbook")
def playbook_group() -> None:
    """Creditors' escalation procedures (playbooks)."""


@playbook_group.command("export")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml")
@click.option("--version", type=int, help="A stored version (default: the latest).")
@with_appcontext
def export(name, fmt, version):
    """Print a playbook (stored, or built-in) as YAML or JSON."""
    try:
        click.echo(export_playbook(db.session, name, fmt, version), nl=False)
    except PlaybookError as exc:
        raise click.ClickException(str(exc)) from exc


@playbook_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--note", help="Why this version (kept with it).")
@json_option
@with_appcontext
@operator_command
def import_(file, note, as_json):
    """Store a playbook file as a new version (the same content again changes nothing)."""
    text = Path(file).read_text(encoding="utf-8")
    fmt = "json" if file.endswith(".json") else None
    try:
        row, created = import_playbook(db.session, text, fmt, note=note)
    except PlaybookError as exc:
        raise CommandError("; ".join(exc.problems)) from exc
    data = {"ok": True, "name": row.name, "version": row.version, "created": created,
            "steps": len({s.code for s in row.steps})}
    emit(data, as_json, f"{row.name} version {row.version} "
                        f"{'stored' if created else 'already stored'}")


@playbook_group.command("list")
@json_option
@with_appcontext
@operator_command
def list_(as_json):
    """Stored playbooks with their latest version, and built-ins not stored yet."""
    rows = list_playbooks(db.session)
    emit({"playbooks": rows}, as_json, lambda: "\n".join(
        f"{r['name']:<32} v{r['latest_version'] or '-'}  {' '.join(r['creditors'])}" for r in rows))


def register(cli: click.Group) -> None:
    cli.add_command(playbook_group)
