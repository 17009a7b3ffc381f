"""agency user create|password|deactivate|signout|reset-2fa, token create|revoke (the
creditor commands are in agency.cli.creditors)."""
from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext

from agency.cli._output import CommandError, emit, json_option, operator_command
from agency.extensions import db
from agency.models import User
from agency.security import ROLES, TEAMS
from agency.services import directory
from agency.services.accounts import users


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


def _user(email: str) -> User:
    user = directory.find_user(db.session, email)
    if user is None:
        raise CommandError(f"unknown user: {email}")
    return user


@user_group.command("password")
@click.argument("email")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True,
              help="The new password (prompted when absent).")
@json_option
@with_appcontext
@operator_command
def user_password(email, password, as_json):
    """Set a user's password (at least 12 characters, not a common one); ends its sessions."""
    user = _user(email)
    ended = users.set_password(db.session, user, password)
    emit({"ok": True, "email": user.email, "sessions_ended": ended}, as_json,
         f"password of {user.email} changed; {ended} session(s) ended")


@user_group.command("deactivate")
@click.argument("email")
@json_option
@with_appcontext
@operator_command
def user_deactivate(email, as_json):
    """Deactivate a user: it can no longer sign in, and its sessions end now."""
    user = _user(email)
    ended = users.deactivate(db.session, user)
    emit({"ok": True, "email": user.email, "active": False, "sessions_ended": ended}, as_json,
         f"{user.email} deactivated; {ended} session(s) ended")


@user_group.command("signout")
@click.argument("email")
@json_option
@with_appcontext
@operator_command
def user_signout(email, as_json):
    """End every session of a user (a lost laptop, a suspicion)."""
    user = _user(email)
    ended = users.sign_out_everywhere(db.session, user)
    emit({"ok": True, "email": user.email, "sessions_ended": ended}, as_json,
         f"{user.email}: {ended} session(s) ended")


@user_group.command("reset-2fa")
@click.argument("email")
@json_option
@with_appcontext
@operator_command
def user_reset_two_factor(email, as_json):
    """Remove a user's second factor (phone and recovery codes lost); it enrols again."""
    user = _user(email)
    ended = users.reset_two_factor(db.session, user)
    emit({"ok": True, "email": user.email, "two_factor": False, "sessions_ended": ended}, as_json,
         f"{user.email}: second factor removed; {ended} session(s) ended")


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


@token_group.command("revoke")
@click.argument("prefix_or_id")
@json_option
@with_appcontext
@operator_command
def revoke_token(prefix_or_id, as_json):
    """Revoke an API token by its id or its prefix (rcv_…); it stops working at once."""
    row = directory.revoke_token(db.session, prefix_or_id)
    emit({"ok": True, "id": row.id, "creditor": row.creditor.code, "prefix": row.prefix,
          "revoked_at": row.revoked_at.isoformat()}, as_json,
         f"token {row.prefix}… of {row.creditor.code} revoked")


def register(cli: click.Group) -> None:
    for group in (user_group, token_group):
        cli.add_command(group)
