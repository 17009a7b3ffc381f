"""Taking on a creditor and changing its contract: checked field by field, audited,
versioned by the day from which a change applies.

- ``take_on_creditor``: identity and first terms (its playbook's default segment rule
  unless it sets its own); nothing is written when a field is refused.
- ``change_terms``: any subset of the terms, from a day (today at the earliest: what was
  charged under the old terms stays so); a new playbook or segment rule applies today
  and reaches the open cases once (``resegment``).
- ``change_identity``: name, address, zone, jurisdiction, language.
Refusals raise ``ContractRejected`` with every field's message, before anything is written.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.contract import (
    ContractRejected, ContractTerms, FieldError, TermsReading, parse_terms, remittance_limit,
)
from agency.domain.contract.identity import EDITABLE_FIELDS, read_identity
from agency.domain.playbook import Playbook, PlaybookError
from agency.domain.timezones import local_date
from agency.models import Creditor, CreditorTerms
from agency.services.audit import current_scope, record
from agency.services.creditors.mandates import mandate_in_force, mandate_of
from agency.services.creditors.resegment import Resegmented, apply_to_open_cases
from agency.services.creditors.terms import creditor_today, store_terms, terms_in_force
from agency.services.directory import create_creditor
from agency.services.engine.playbooks import playbook_for, save_playbook


@dataclass(frozen=True)
class TermsChange:
    """The terms after a change; ``row`` None when they were already so."""

    terms: ContractTerms
    row: CreditorTerms | None = None
    resegmented: Resegmented | None = None


@dataclass(frozen=True)
class _Prepared:
    terms: ContractTerms
    base: ContractTerms
    day: date
    playbook: Playbook | None      # to adopt (a new playbook, or its default rule asked)
    reaches_cases: bool            # a new playbook or segment rule


def take_on_creditor(session: Session, *, code: str, name: str, country: str, currency: str,
                     playbook: str | None = None, jurisdiction: str | None = None,
                     timezone: str | None = None, language: str | None = None,
                     address: str | None = None, locale: str | None = None,
                     terms: Mapping[str, Any] | None = None, reason: str | None = None,
                     default_debtor_kind: str = "person") -> tuple[Creditor, TermsChange]:
    """A new creditor with its first terms; raises ContractRejected, nothing written."""
    identity, errors = read_identity({
        "name": name, "country": country, "currency": currency, "timezone": timezone or "",
        "jurisdiction": jurisdiction or "", "language": language or "fr", "address": address or ""})
    errors = list(errors)
    code = (code or "").strip().upper()
    if not code or len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum():
        errors.append(FieldError("code", "Code de 1 à 32 lettres ou chiffres attendu."))
    elif session.scalar(select(Creditor.id).where(Creditor.code == code)):
        errors.append(FieldError("code", f"Le donneur d'ordre {code} existe déjà."))
    if errors:
        raise ContractRejected(errors)
    creditor = Creditor(code=code, currency=identity["currency"], timezone=identity["timezone"],
                        locale=locale or f"fr_{identity['country']}")
    data = dict(terms or {})
    if playbook:
        data["playbook"] = playbook
    today = local_date(current_scope(session).now, creditor.timezone)
    prepared = _prepare(session, creditor, data, today=today, effective_from=today,
                        in_force=ContractTerms(), first=True)
    creditor = create_creditor(session, code=code, locale=locale,
                               default_debtor_kind=default_debtor_kind, **identity)
    return creditor, _apply(session, creditor, prepared, reason or "prise en charge du donneur d'ordre",
                            first=True)


def change_terms(session: Session, creditor: Creditor, data: Mapping[str, Any], *,
                 effective_from: date | None = None, reason: str | None = None) -> TermsChange:
    """Apply any subset of the terms from ``effective_from`` (default today); raises
    ContractRejected, nothing written."""
    today = creditor_today(session, creditor)
    prepared = _prepare(session, creditor, data, today=today, effective_from=effective_from or today,
                        in_force=terms_in_force(session, creditor.id, today), first=False)
    return _apply(session, creditor, prepared, reason, first=False)


def _prepare(session: Session, creditor: Creditor, data: Mapping[str, Any], *, today: date,
             effective_from: date, in_force: ContractTerms, first: bool) -> _Prepared:
    errors: list[FieldError] = []
    if effective_from < today:
        errors.append(FieldError("effective_from", (
            "Une modification s'applique à partir d'aujourd'hui au plus tôt : ce qui a été "
            "facturé sous les conditions précédentes ne change pas.")))
    base = in_force if first else terms_in_force(session, creditor.id, effective_from)
    mandate = mandate_of(mandate_in_force(session, creditor.id)) if creditor.id else None
    reading = parse_terms(data, currency=creditor.currency, locale=creditor.locale or "fr_FR",
                          base=base, remittance_limit=remittance_limit(mandate))
    errors += reading.errors
    if errors:
        raise ContractRejected(errors)
    terms, playbook = _with_playbook(session, creditor, reading,
                                     playbook_given="playbook" in data or first,
                                     segments_given="segments" in data)
    reaches = (terms.playbook, terms.segment_rule) != (in_force.playbook, in_force.segment_rule)
    if reaches and effective_from > today:
        raise ContractRejected([FieldError("effective_from", (
            "La procédure et la segmentation s'appliquent dès aujourd'hui aux dossiers en cours : "
            "enregistrez-les sans date future."))])
    return _Prepared(terms, base, effective_from, playbook, reaches and not first)


def _with_playbook(session: Session, creditor: Creditor, reading: TermsReading, *,
                   playbook_given: bool, segments_given: bool,
                   ) -> tuple[ContractTerms, Playbook | None]:
    """The terms with their playbook as the creditor runs it (a copy in its currency, to
    adopt) and their segment rule: the creditor's own, else the playbook's default."""
    terms = reading.terms
    if terms.playbook is None:
        return (terms if terms.own_segments else replace(terms, segment_rule=None)), None
    if not (playbook_given or segments_given):
        return terms, None
    try:
        playbook = playbook_for(session, creditor, terms.playbook, rate=reading.playbook_rate)
    except KeyError:
        raise ContractRejected([FieldError("playbook", f"Procédure inconnue : « {terms.playbook} ».")]) from None
    except PlaybookError as exc:
        raise ContractRejected([FieldError("playbook", (
            f"La procédure {terms.playbook} a des montants dans une autre devise : donnez le taux "
            f"de conversion (playbook_rate) vers {creditor.currency}. ({exc.problems[0]})"))]) from None
    terms = replace(terms, playbook=playbook.name)
    if not terms.own_segments:
        return replace(terms, segment_rule=playbook.segment_rule), playbook
    foreign = [band.code for band in terms.segment_rule.bands
               if playbook.segments and band.code not in playbook.segments]
    if foreign:
        raise ContractRejected([FieldError("segments", (
            f"La procédure {playbook.name} ne connaît pas le(s) segment(s) {', '.join(foreign)} "
            f"(les siens : {', '.join(playbook.segments)}) : leurs dossiers n'auraient aucune étape."))])
    return terms, playbook


def _apply(session: Session, creditor: Creditor, prepared: _Prepared, reason: str | None, *,
           first: bool) -> TermsChange:
    if prepared.playbook is not None:  # stored as the copy the creditor runs
        version, _ = save_playbook(session, prepared.playbook, note=f"adopted by {creditor.code}")
        creditor.playbook_name = version.name
    elif prepared.terms.playbook is None:
        creditor.playbook_name = None
    if not first and prepared.terms == prepared.base:
        return TermsChange(prepared.terms)
    row = store_terms(session, creditor, prepared.terms, effective_from=prepared.day, reason=reason)
    before = {} if first else prepared.base.to_dict()
    after = prepared.terms.to_dict()
    changes = {key: [before.get(key), value] for key, value in after.items()
               if before.get(key) != value}
    record(session, verb="creditor.terms_changed", creditor_id=creditor.id,
           changes=changes | {"effective_from": [None, prepared.day.isoformat()]}, reason=row.reason)
    resegmented = apply_to_open_cases(session, creditor, prepared.terms, reason=row.reason) \
        if prepared.reaches_cases else None
    return TermsChange(prepared.terms, row, resegmented)


def change_identity(session: Session, creditor: Creditor, data: Mapping[str, Any]) -> dict:
    """Change the editable identity fields given; the changes made (audited)."""
    values, errors = read_identity(data, EDITABLE_FIELDS)
    if errors:
        raise ContractRejected(errors)
    changes = {name: [getattr(creditor, name), value] for name, value in values.items()
               if name != "timezone" or value is not None
               if getattr(creditor, name) != value}
    if changes:
        for name, (_, value) in changes.items():
            setattr(creditor, name, value)
        record(session, verb="creditor.changed", creditor_id=creditor.id, changes=changes)
        session.flush()
    return changes
