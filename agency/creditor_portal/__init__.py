"""The creditor portal: a creditor's users follow their own cases, and only those. Each area adds its views in a module of
this package; they are all imported here."""
from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint

bp = Blueprint("creditor_portal", __name__)

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
