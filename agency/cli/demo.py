"""agency demo: load the demo data once, print the demo logins on every run."""
from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from agency.cli._output import emit, json_option, operator_command
from agency.extensions import db
from agency.services.demo import load_demo
from agency.services.demo.logins import align_passwords, choose_passwords, demo_logins

LOGINS_FILE = "demo_logins.json"


@click.command("demo")
@click.option("--password", help="One password for every demo login (default: random ones, "
                                 "generated once and kept in the instance folder).")
@json_option
@with_appcontext
@operator_command
def demo(password, as_json):
    """Load demo creditors, staff and cases once; print the demo logins on every run."""
    path = Path(current_app.instance_path) / LOGINS_FILE
    passwords = choose_passwords(_read_kept(path), password)
    result = load_demo(db.session, passwords=passwords)
    reset = [] if result["created"] else align_passwords(db.session, passwords)
    logins = demo_logins(passwords)
    _keep(path, logins)  # before the commit: a failed write changes nothing
    result.update(logins=logins, logins_file=str(path), passwords_set=reset)

    def human() -> str:
        if result["created"]:
            lines = [f"demo loaded: {result['cases']} cases, {result['actions_created']} actions "
                     f"({result['waiting_approval']} waiting for approval)."]
        elif reset:
            lines = [f"demo data already loaded; new passwords set for {len(reset)} demo logins."]
        else:
            lines = ["demo data already loaded: nothing changed."]
        lines.append(f"Logins (kept in {path}):")
        lines += [f"  {l['role']:<10} {l['email']:<32} {l['password']}" for l in logins]
        return "\n".join(lines)
    emit(result, as_json, human)


def _read_kept(path: Path) -> dict[str, str]:
    """The passwords of an earlier run, by email (none when the file is missing or unreadable)."""
    try:
        logins = json.loads(path.read_text(encoding="utf-8"))["logins"]
        return {login["email"]: login["password"] for login in logins}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _keep(path: Path, logins: list[dict]) -> None:
    """Write the logins for the next runs, readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"logins": logins}, handle, ensure_ascii=False, indent=1)
    os.chmod(scratch, 0o600)  # O_CREAT's mode does not apply to a file left by a failed run
    os.replace(scratch, path)


def register(cli: click.Group) -> None:
    cli.add_command(demo)
