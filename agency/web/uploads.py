"""What the web, API and portal views share: where uploads go, the limits they are held to,
and how one is received (checked first, stored only once accepted)."""
from __future__ import annotations

import json
import os
from typing import BinaryIO

from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from agency.domain.intake import IntakeError, IntakeLimits, map_columns, open_table
from agency.models import Creditor, Portfolio
from agency.services.intake import check_mapping, create_portfolio, mapping_for, store_upload


class UploadError(ValueError):
    """An upload refused before any work (no file, bad mapping, a file that is not a table
    or is beyond a limit); French message. Nothing was stored or written for it."""


def upload_folder() -> str:
    return current_app.config.get("INTAKE_FOLDER") or os.path.join(current_app.instance_path,
                                                                    "portfolios")


def intake_limits() -> IntakeLimits:
    """The configured limits (``INTAKE_MAX_...``, README's configuration table)."""
    return IntakeLimits.from_config(current_app.config)


def mandate_folder() -> str:
    """Where creditors' signed mandates are kept: MANDATE_FOLDER, else instance/mandates."""
    return current_app.config.get("MANDATE_FOLDER") or os.path.join(current_app.instance_path,
                                                                     "mandates")


def receive_upload(session: Session, *, creditor: Creditor, upload: FileStorage | None,
                   source: str, sheet: str | None = None, mapping_text: str | None = None,
                   status: str = "queued") -> Portfolio:
    """Check the uploaded file, then store it and record its portfolio (the caller commits,
    then enqueues). The mapping and the file (size, zip parts, sheet, header, and for a file
    imported at once its required columns) are checked on the upload itself: a refused
    file is never stored and nothing is written for it."""
    if upload is None or not upload.filename:
        raise UploadError("Choisissez un fichier CSV ou Excel.")
    mapping = _parse_mapping(mapping_text) if mapping_text else None
    try:
        if mapping:
            check_mapping(mapping)
        check_upload(upload.stream, upload.filename, sheet=sheet,
                     mapping=mapping_for(session, creditor.id, mapping),
                     needs_columns=status == "queued")
    except IntakeError as exc:
        raise UploadError(exc.message) from exc
    upload.stream.seek(0)
    path, digest = store_upload(upload_folder(), upload.filename, upload.stream)
    try:
        return create_portfolio(session, creditor=creditor, source=source,
                                filename=os.path.basename(upload.filename), stored_path=path,
                                sha256=digest, sheet=sheet, mapping=mapping, status=status)
    except BaseException:
        os.unlink(path)
        raise


def check_upload(source: BinaryIO | str, filename: str, *, sheet: str | None, mapping: dict,
                 needs_columns: bool) -> None:
    """Open the file (a stream or a stored path) as the import will, limits first, and map
    its columns if asked; IntakeError (French message) if it would be refused."""
    with open_table(source, filename, sheet=sheet, saved_mapping=mapping,
                    limits=intake_limits()) as table:
        if needs_columns:
            map_columns(table.header, mapping)


def _parse_mapping(text: str) -> dict:
    try:
        mapping = json.loads(text)
    except ValueError as exc:
        raise UploadError("La correspondance des colonnes n'est pas un JSON valide.") from exc
    if not isinstance(mapping, dict):
        raise UploadError("La correspondance des colonnes doit être un objet {en-tête: champ}.")
    return mapping
