"""Recording a creditor's written mandate (CPCE R124-3) and keeping its signed document.

A mandate is a row per recording (the latest is in force: a new one replaces), audited as
``creditor.mandate_recorded``. The document is stored under the folder the caller gives
(the instance folder's ``mandates/``), named by its SHA-256, its original name kept.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.contract import (
    ContractRejected, FieldError, Mandate, document_kind, read_mandate, remittance_limit,
)
from agency.models import Creditor, CreditorMandate
from agency.services.audit import current_scope, record
from agency.services.creditors.terms import creditor_today, terms_in_force

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """A file as received: its name on the sender's side and its bytes."""

    filename: str
    stream: BinaryIO


def mandate_in_force(session: Session, creditor_id: int) -> CreditorMandate | None:
    """The latest mandate recorded for the creditor."""
    return session.scalar(select(CreditorMandate).where(CreditorMandate.creditor_id == creditor_id)
                          .order_by(CreditorMandate.id.desc()).limit(1))


def mandates_in_force(session: Session, creditor_ids) -> dict[int, CreditorMandate]:
    """creditor id -> its latest mandate, for those that have one."""
    found: dict[int, CreditorMandate] = {}
    for row in session.scalars(select(CreditorMandate).where(
            CreditorMandate.creditor_id.in_(sorted(set(creditor_ids))))
            .order_by(CreditorMandate.id)):
        found[row.creditor_id] = row
    return found


def mandate_of(row: CreditorMandate | None) -> Mandate | None:
    if row is None:
        return None
    return Mandate(reference=row.reference, signed_on=row.signed_on, basis=row.basis,
                   amount_minor=row.amount_minor, fees=row.fees,
                   remittance_method=row.remittance_method, remittance_days=row.remittance_days)


def record_mandate(session: Session, creditor: Creditor, data: Mapping, *, folder: str | None,
                   document: Upload | None = None, reason: str | None = None,
                   max_bytes: int = MAX_DOCUMENT_BYTES) -> CreditorMandate:
    """Record a new mandate (and its document); raises ContractRejected, nothing changed."""
    today = creditor_today(session, creditor)
    mandate, errors = read_mandate(data, currency=creditor.currency,
                                   locale=creditor.locale or "fr_FR", today=today)
    errors = list(errors)
    if mandate is not None:
        in_force = terms_in_force(session, creditor.id, today)
        if in_force.remittance_days > remittance_limit(mandate):
            errors.append(FieldError("remittance_days", (
                f"Les conditions en vigueur prévoient un reversement à {in_force.remittance_days} "
                f"jours : le mandat doit l'accepter, ou changez d'abord les conditions.")))
    content = _read_document(document, max_bytes, errors) if document is not None else None
    if errors:
        raise ContractRejected(errors)
    previous = mandate_in_force(session, creditor.id)
    scope = current_scope(session)
    row = CreditorMandate(
        creditor_id=creditor.id, reference=mandate.reference, signed_on=mandate.signed_on,
        basis=mandate.basis, amount_minor=mandate.amount_minor, fees=mandate.fees,
        remittance_method=mandate.remittance_method, remittance_days=mandate.remittance_days,
        created_by=scope.actor.label, created_at=scope.now,
        reason=reason if reason is not None else scope.reason)
    if content is not None:
        row.document_path, row.document_sha256, row.document_type = _store(folder, creditor, content)
        row.document_name = os.path.basename(document.filename.replace("\\", "/"))[:255] or None
    elif previous is not None and previous.reference == mandate.reference:
        # the same mandate recorded again (a corrected field): its document stays with it
        row.document_path, row.document_sha256 = previous.document_path, previous.document_sha256
        row.document_name, row.document_type = previous.document_name, previous.document_type
    session.add(row)
    session.flush()
    record(session, verb="creditor.mandate_recorded", creditor_id=creditor.id,
           changes=_changes(previous, row), reason=row.reason)
    return row


def _read_document(document: Upload, max_bytes: int, errors: list[FieldError]) -> bytes | None:
    content = document.stream.read(max_bytes + 1)
    if not content:
        errors.append(FieldError("document", "Le fichier est vide."))
    elif len(content) > max_bytes:
        errors.append(FieldError("document", f"Le fichier dépasse {max_bytes // (1024 * 1024)} Mo."))
    elif document_kind(content[:16]) is None:
        errors.append(FieldError("document", "Le mandat signé doit être un PDF, ou un scan PNG "
                                             "ou JPEG."))
    else:
        return content
    return None


def _store(folder: str | None, creditor: Creditor, content: bytes) -> tuple[str, str, str]:
    """Write the document once (content-addressed); (relative path, sha256, media type)."""
    if folder is None:
        raise ValueError("no folder to keep mandate documents in")
    extension, media_type = document_kind(content[:16])
    digest = hashlib.sha256(content).hexdigest()
    relative = f"{creditor.id}/{digest}.{extension}"
    target = Path(folder) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, target)
    return relative, digest, media_type


def document_file(folder: str, row: CreditorMandate) -> Path | None:
    """The stored document of a mandate, if it has one and it is still there."""
    if not row.document_path:
        return None
    path = Path(folder) / row.document_path
    return path if path.is_file() else None


_AUDITED = ("reference", "signed_on", "basis", "amount_minor", "fees", "remittance_method",
            "remittance_days", "document_name", "document_sha256")


def _changes(previous: CreditorMandate | None, row: CreditorMandate) -> dict:
    changes = {}
    for name in _AUDITED:
        old = getattr(previous, name) if previous is not None else None
        new = getattr(row, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
