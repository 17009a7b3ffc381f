"""Portfolio intake, the use cases: take a creditor's file in, import it, report on it.

Web, API and CLI store the upload (``store_upload``), create a ``Portfolio`` and commit;
then the RQ job (or the CLI, in-process) calls ``run_portfolio``, which commits per chunk
through the callback it is given (services never commit on their own).
"""
from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.intake import (EXTRA, FIELDS, IGNORE, IntakeError, IntakeLimits, MappingError,
                                  guess_columns, open_table)
from agency.models import ColumnMapping, Creditor, Portfolio
from agency.models.portfolio import PORTFOLIO_SOURCES as SOURCES
from agency.services.audit import current_scope, record
from agency.services.intake.report import REJECT_COLUMN, rejected_csv, status_document
from agency.services.intake.run import FINAL, run_portfolio

__all__ = ["REJECT_COLUMN", "IntakeError", "create_portfolio", "import_file", "preview",
           "rejected_csv", "run_portfolio", "save_mapping", "saved_mapping", "status_document",
           "store_upload"]
_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


def store_upload(folder: str | os.PathLike, filename: str, stream: BinaryIO) -> tuple[str, str]:
    """Copy an uploaded file under ``folder``; returns (stored path, sha256)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    suffix = Path(filename).suffix.lower()
    path = Path(folder) / f"{uuid.uuid4().hex}{suffix if suffix in _SUFFIXES else ''}"
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        while block := stream.read(1 << 20):
            digest.update(block)
            out.write(block)
    return str(path), digest.hexdigest()


def file_digest(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def create_portfolio(session: Session, *, creditor: Creditor, source: str, filename: str,
                     stored_path: str, sha256: str, sheet: str | None = None,
                     mapping: Mapping[str, str] | None = None, status: str = "queued") -> Portfolio:
    """Record an uploaded file to import, with the mapping given (saved for the creditor's
    next files) or else the creditor's saved one."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source}")
    scope = current_scope(session)
    if mapping:
        save_mapping(session, creditor.id, mapping)
    portfolio = Portfolio(creditor=creditor, source=source, filename=(filename or "fichier")[:255],
                          stored_path=stored_path, sha256=sha256, sheet=sheet or None,
                          mapping=mapping_for(session, creditor.id), status=status,
                          created_by_id=scope.actor.user_id, created_at=scope.now)
    session.add(portfolio)
    session.flush()
    record(session, verb="portfolio.received", creditor_id=creditor.id,
           changes={"portfolio_id": [None, portfolio.id], "filename": [None, portfolio.filename]})
    return portfolio


def import_file(session: Session, *, creditor: Creditor, path: str, commit,
                mapping: Mapping[str, str] | None = None, sheet: str | None = None,
                source: str = "cli", limits: IntakeLimits | None = None) -> Portfolio:
    """Import a file on disk now (the CLI); an unfinished import of the same file for the
    same creditor is resumed instead of started again."""
    digest = file_digest(path)
    portfolio = session.scalar(
        select(Portfolio).where(Portfolio.creditor_id == creditor.id, Portfolio.sha256 == digest,
                                Portfolio.status.not_in(FINAL + ("uploaded",)))
        .order_by(Portfolio.id.desc()).limit(1))
    if portfolio is None:
        portfolio = create_portfolio(session, creditor=creditor, source=source,
                                     filename=os.path.basename(path), sheet=sheet,
                                     stored_path=os.path.abspath(path), sha256=digest,
                                     mapping=mapping)
        commit()
    return run_portfolio(session, portfolio, commit=commit, limits=limits)


def saved_mapping(session: Session, creditor_id: int) -> dict[str, str] | None:
    row = session.get(ColumnMapping, creditor_id)
    return dict(row.mapping) if row else None


def save_mapping(session: Session, creditor_id: int, mapping: Mapping[str, str]) -> None:
    """Keep the creditor's mapping for its next files (merged over the one saved before)."""
    checked = _checked(mapping)
    row = session.get(ColumnMapping, creditor_id)
    now = current_scope(session).now
    if row is None:
        session.add(ColumnMapping(creditor_id=creditor_id, mapping=checked, updated_at=now))
    else:
        row.mapping, row.updated_at = {**row.mapping, **checked}, now
    session.flush()


def mapping_for(session: Session, creditor_id: int,
                given: Mapping[str, str] | None = None) -> dict[str, str]:
    """The mapping a new file of the creditor is read with: the one given over the saved one."""
    return _with_reject_column({**(saved_mapping(session, creditor_id) or {}), **(given or {})})


def check_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    """The mapping, if every field it names exists; else MappingError (French message)."""
    return _checked(mapping)


def _checked(mapping: Mapping[str, str]) -> dict[str, str]:
    known = {field.name for field in FIELDS} | {EXTRA, IGNORE}
    if not isinstance(mapping, Mapping):
        raise MappingError("La correspondance des colonnes doit être un objet {en-tête: champ}.")
    for header, field in mapping.items():
        if not isinstance(header, str) or not isinstance(field, str) or field not in known:
            raise MappingError(f"Correspondance invalide : « {header} » -> « {field} ».")
    return dict(mapping)


def _with_reject_column(mapping: dict[str, str] | None) -> dict[str, str]:
    """Our rejected-rows CSV adds a reasons column: a fixed file sent back ignores it."""
    return {**(mapping or {}), REJECT_COLUMN: IGNORE}


def preview(portfolio: Portfolio, rows: int = 5, limits: IntakeLimits | None = None) -> dict:
    """The file's header, the guessed or saved field of each column, and a few rows, for
    the mapping screen; raises IntakeError for a file that is not a table."""
    with open_table(portfolio.stored_path, portfolio.filename, sheet=portfolio.sheet,
                    saved_mapping=portfolio.mapping, limits=limits) as table:
        columns = guess_columns(table.header, portfolio.mapping)
        sample = []
        for raw in table.rows():
            sample.append([str(cell) if cell is not None else "" for cell in raw.cells])
            if len(sample) >= rows:
                break
    return {"columns": columns.columns, "notes": columns.notes, "missing": columns.missing(),
            "sample": sample, "fields": FIELDS}


def copy_for_upload(path: str, folder: str) -> tuple[str, str]:
    """Store a copy of a file on disk as if uploaded (tests, demo)."""
    with open(path, "rb") as stream:
        return store_upload(folder, os.path.basename(path), stream)
