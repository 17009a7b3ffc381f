"""The staff back-office. Each area adds its views in a module of this package (they
are all imported here) and may add a panel to the case page or an item to the menu
through ``agency.web.registry``."""
from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint

bp = Blueprint("backoffice", __name__)

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
