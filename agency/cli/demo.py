"""agency demo: load the demo data once."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from agency.cli._output import emit, json_option, operator_command
from agency.extensions import db
from agency.services.demo import load_demo


@click.command("demo")
@click.option("--password", help="One password for every demo login (default: random, printed once).")
@json_option
@with_appcontext
@operator_command
def demo(password, as_json):
    """Load demo creditors, staff and cases; a second run changes nothing."""
    result = load_demo(db.session, password=password)

    def human() -> str:
        if not result["created"]:
            return "demo data already loaded: nothing changed"
        lines = [f"demo loaded: {result['cases']} cases, {result['actions_created']} actions "
                 f"({result['waiting_approval']} waiting for approval). Logins (shown once):"]
        lines += [f"  {l['role']:<10} {l['email']:<32} {l['password']}" for l in result["logins"]]
        return "\n".join(lines)
    emit(result, as_json, human)


def register(cli: click.Group) -> None:
    cli.add_command(demo)
