"""Receiving a portfolio file in the back-office, the creditor portal and the API: where
uploads go and how one becomes a portfolio."""
from __future__ import annotations

import json
import os

from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from agency.domain.intake import MappingError
from agency.models import Creditor, Portfolio
from agency.services.intake import create_portfolio, store_upload


class UploadError(ValueError):
    """An upload refused before any work (no file, bad mapping); French message."""


def upload_folder() -> str:
    return current_app.config.get("INTAKE_FOLDER") or os.path.join(current_app.instance_path,
                                                                    "portfolios")


def mandate_folder() -> str:
    """Where creditors' signed mandates are kept: MANDATE_FOLDER, else instance/mandates."""
    return current_app.config.get("MANDATE_FOLDER") or os.path.join(current_app.instance_path,
                                                                     "mandates")


def receive_upload(session: Session, *, creditor: Creditor, upload: FileStorage | None,
                   source: str, sheet: str | None = None, mapping_text: str | None = None,
                   status: str = "queued") -> Portfolio:
    """Store the uploaded file and record its portfolio (the caller commits, then enqueues)."""
    if upload is None or not upload.filename:
        raise UploadError("Choisissez un fichier CSV ou Excel.")
    mapping = _parse_mapping(mapping_text) if mapping_text else None
    path, digest = store_upload(upload_folder(), upload.filename, upload.stream)
    try:
        return create_portfolio(session, creditor=creditor, source=source,
                                filename=os.path.basename(upload.filename), stored_path=path,
                                sha256=digest, sheet=sheet, mapping=mapping, status=status)
    except MappingError as exc:
        os.unlink(path)
        raise UploadError(exc.message) from exc


def _parse_mapping(text: str) -> dict:
    try:
        mapping = json.loads(text)
    except ValueError as exc:
        raise UploadError("La correspondance des colonnes n'est pas un JSON valide.") from exc
    if not isinstance(mapping, dict):
        raise UploadError("La correspondance des colonnes doit être un objet {en-tête: champ}.")
    return mapping
