"""How commands answer: one JSON document with --json, readable lines without."""
from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable

import click

from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.services.audit import Actor, audit_scope


class CommandError(Exception):
    """A refusal the operator should read (unknown reference, bad argument)."""


def emit(data: dict | list, as_json: bool, human: Callable[[], str] | str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=str))
    else:
        text = human() if callable(human) else human
        click.echo(text if text is not None else json.dumps(data, ensure_ascii=False, indent=2,
                                                            default=str))


def json_option(command: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")(command)


def operator_command(command: Callable) -> Callable:
    """Run in a transaction attributed to the operator; errors become a clean exit 1."""
    @functools.wraps(command)
    def wrapper(*args, as_json: bool = False, **kwargs):
        try:
            with audit_scope(db.session, Actor.system("cli"), now_utc()):
                result = command(*args, as_json=as_json, **kwargs)
            db.session.commit()
            return result
        except (ValueError, CommandError) as exc:
            db.session.rollback()
            fields = [e.to_dict() for e in getattr(exc, "field_errors", ())]  # per field
            if as_json:
                click.echo(json.dumps({"ok": False, "error": str(exc)} | (
                    {"errors": fields} if fields else {}), ensure_ascii=False))
            elif fields:
                for item in fields:
                    click.echo(f"error: {item['field']}: {item['message']}", err=True)
            else:
                click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    return wrapper
