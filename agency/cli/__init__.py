"""The operator CLI, `agency`: a Flask CLI group. With --json a command prints one
JSON document on stdout and nothing else there (docs/cli.md keeps them stable).

Each module of this package registers its commands through ``register(cli)``, so a
new area adds a module here without touching the others.
"""
from __future__ import annotations

import importlib
import pkgutil

import click
from flask.cli import FlaskGroup

from agency import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False,
             load_dotenv=False, set_debug_flag=False)
def cli() -> None:
    """Recouvra operator commands."""


for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}").register(cli)


def main() -> None:
    cli(prog_name="agency")
