"""The creditor REST API, version 1: token-authenticated, confined to the token's creditor. Each area adds its views in a module of
this package; they are all imported here."""
from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint

bp = Blueprint("api_v1", __name__)


@bp.errorhandler(404)
def not_found(_error):
    return {"error": "not found"}, 404


for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
