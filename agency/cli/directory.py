"""agency creditor create / user create / token create."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from agency.cli._output import emit, json_option, operator_command
from agency.extensions import db
from agency.security import ROLES, TEAMS
from agency.services import directory


@click.group("creditor")
def creditor_group() -> None:
    """Creditors (donneurs d'ordre)."""


@creditor_group.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--country", required=True, help="ISO 3166 code, e.g. SN, MA, FR.")
@click.option("--currency", required=True, help="ISO 4217 code, e.g. XOF, MAD, EUR.")
@click.option("--playbook", help="Name of the escalation playbook the creditor runs.")
@click.option("--default-debtor-kind", type=click.Choice(["person", "company"]), default="person",
              show_default=True, help="Kind of the debtors its files do not describe.")
@json_option
@with_appcontext
@operator_command
def create_creditor(code, name, country, currency, playbook, default_debtor_kind, as_json):
    """Create a creditor."""
    row = directory.create_creditor(db.session, code=code, name=name, country=country,
                                    currency=currency, playbook=playbook,
                                    default_debtor_kind=default_debtor_kind)
    emit({"ok": True, "id": row.id, "code": row.code, "name": row.name, "country": row.country,
          "currency": row.currency, "timezone": row.timezone, "playbook": row.playbook_name,
          "default_debtor_kind": row.default_debtor_kind},
         as_json, f"created creditor {row.code} ({row.name})")


@click.group("user")
def user_group() -> None:
    """Staff and creditor users."""


@user_group.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name")
@click.option("--team", type=click.Choice(TEAMS))
@click.option("--pair-with", "pair_with", help="Email of the agent to pair with.")
@click.option("--creditor", help="Creditor code, for creditor users.")
@click.option("--password", help="Initial password; generated and printed once if absent.")
@json_option
@with_appcontext
@operator_command
def create_user(email, role, name, team, pair_with, creditor, password, as_json):
    """Create a user; prints its password once when generated."""
    import secrets
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    row = directory.create_user(db.session, email=email, role=role, name=name, password=password,
                                team=team, pair_with=pair_with, creditor=creditor)
    data = {"ok": True, "id": row.id, "email": row.email, "role": row.role,
            "team": row.team.code if row.team else None, "pair_id": row.pair_id,
            "creditor": creditor.upper() if creditor else None,
            "password": password if generated else None}
    emit(data, as_json, f"created {row.role} {row.email}"
         + (f" with password {password}" if generated else ""))


@click.group("token")
def token_group() -> None:
    """Creditor API tokens."""


@token_group.command("create")
@click.option("--creditor", required=True, help="Creditor code.")
@click.option("--label")
@json_option
@with_appcontext
@operator_command
def create_token(creditor, label, as_json):
    """Create an API token; it is printed once and stored hashed."""
    row, token = directory.create_token(db.session, creditor=creditor, label=label)
    emit({"ok": True, "id": row.id, "creditor": creditor.upper(), "prefix": row.prefix,
          "token": token}, as_json, f"token for {creditor.upper()} (shown once): {token}")


def register(cli: click.Group) -> None:
    for group in (creditor_group, user_group, token_group):
        cli.add_command(group)
