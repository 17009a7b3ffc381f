"""The creditor's written mandate (CPCE R124-3) and whether its debtors may be contacted.

French law has the agency work under a written mandate stating the basis and amount of
the claims, the agency's fees and how funds are paid over: for a creditor under French
jurisdiction nothing reaches a debtor (call, message, letter) before it is recorded.
Elsewhere we apply the same standard as policy, but only warn.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from agency.domain.contract.reading import MAX_REMITTANCE_DAYS
from agency.domain.contract.values import FieldError, Refused, read_amount, read_whole
from agency.domain.contract.terms import CHANNELS, ContractTerms

JURISDICTIONS = ("fr", "ohada", "ma")
MANDATE_REQUIRED = frozenset({"fr"})  # no contact at all without a recorded mandate
MANDATE_FIELDS = ("reference", "signed_on", "basis", "amount", "fees", "remittance_method",
                  "remittance_days")

# Why a contact is refused (or allowed with a warning), in French for the pages.
EXPLANATIONS = {
    "allowed": "Contact possible.",
    "mandate_missing": ("Aucun mandat écrit n'est enregistré pour ce donneur d'ordre, soumis au "
                        "droit français (CPCE R124-3) : aucun appel, message ni courrier ne part "
                        "avant son enregistrement."),
    "mandate_missing_warning": ("Aucun mandat écrit n'est enregistré pour ce donneur d'ordre : "
                                "le contact reste possible hors de France, mais enregistrez-le."),
    "channel_not_allowed": "Ce canal n'est pas autorisé par le contrat du donneur d'ordre.",
    "unknown_channel": "Canal de contact inconnu.",
}


@dataclass(frozen=True, slots=True)
class Mandate:
    """What the signed mandate says (its document is kept beside it)."""

    reference: str
    signed_on: date
    basis: str | None = None         # the claims it covers
    amount_minor: int | None = None  # the amount it covers, when it states one
    fees: str | None = None          # the agency's fees, as the mandate words them
    remittance_method: str | None = None
    remittance_days: int | None = None  # a remittance period longer than a month, if agreed


@dataclass(frozen=True, slots=True)
class ContactVerdict:
    """May the agency contact a creditor's debtor; ``warning`` when allowed with a caveat."""

    allowed: bool
    code: str
    warning: str | None = None

    @property
    def explanation(self) -> str:
        """French text for the pages: why not, or the caveat."""
        return EXPLANATIONS[self.warning if self.allowed and self.warning else self.code]

    def to_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "code": self.code, "warning": self.warning,
                "message": self.explanation}


def mandate_verdict(jurisdiction: str | None, mandate: Mandate | None) -> ContactVerdict:
    """French jurisdiction without a recorded mandate: no contact; elsewhere a warning."""
    if mandate is not None:
        return ContactVerdict(True, "allowed")
    if jurisdiction in MANDATE_REQUIRED:
        return ContactVerdict(False, "mandate_missing")
    return ContactVerdict(True, "allowed", warning="mandate_missing_warning")


def contact_verdict(jurisdiction: str | None, mandate: Mandate | None, terms: ContractTerms,
                    channel: str) -> ContactVerdict:
    """The mandate's verdict, then the channels the creditor's terms allow."""
    if channel not in CHANNELS:
        return ContactVerdict(False, "unknown_channel")
    verdict = mandate_verdict(jurisdiction, mandate)
    if not verdict.allowed:
        return verdict
    if not terms.allows(channel):
        return ContactVerdict(False, "channel_not_allowed")
    return verdict


def remittance_limit(mandate: Mandate | None) -> int:
    """The longest remittance period the terms may set: a month, or what the mandate agrees."""
    agreed = mandate.remittance_days if mandate is not None else None
    return max(MAX_REMITTANCE_DAYS, agreed or 0)


def read_mandate(data: Mapping[str, Any], *, currency: str, locale: str,
                 today: date) -> tuple[Mandate | None, tuple[FieldError, ...]]:
    """A mandate from what an operator typed; (mandate, ()) or (None, every refusal)."""
    errors: list[FieldError] = []

    def take(name: str, read) -> Any:
        value = data.get(name)
        if value in (None, ""):
            return None
        try:
            return read(value)
        except Refused as fault:
            errors.append(FieldError(name, fault.message))
            return None

    reference = take("reference", lambda v: _text(v, 64))
    signed_on = take("signed_on", lambda v: _signed_on(v, today))
    for name, value in (("reference", reference), ("signed_on", signed_on)):
        if value is None and not any(e.field == name for e in errors):
            errors.append(FieldError(name, "Obligatoire."))
    mandate = Mandate(
        reference=reference or "", signed_on=signed_on or today,
        basis=take("basis", lambda v: _text(v, 2000)),
        amount_minor=take("amount", lambda v: read_amount(v, currency, locale)),
        fees=take("fees", lambda v: _text(v, 2000)),
        remittance_method=take("remittance_method", lambda v: _text(v, 2000)),
        remittance_days=take("remittance_days", lambda v: read_whole(v, 1, 366)))
    return (None, tuple(errors)) if errors else (mandate, ())


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Refused("Texte attendu.")
    if len(value.strip()) > limit:
        raise Refused(f"{limit} caractères au plus.")
    return value.strip()


def _signed_on(value: Any, today: date) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise Refused("Date attendue (AAAA-MM-JJ).") from None
    if not isinstance(value, date):
        raise Refused("Date attendue (AAAA-MM-JJ).")
    if value > today:
        raise Refused("Un mandat se signe avant d'être enregistré : la date est dans le futur.")
    return value


# The signed document: a PDF or a scan, recognised by its first bytes, not its name.
DOCUMENT_KINDS = ((b"%PDF-", "pdf", "application/pdf"),
                  (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
                  (b"\xff\xd8\xff", "jpg", "image/jpeg"))


def document_kind(head: bytes) -> tuple[str, str] | None:
    """(extension, media type) of a signed mandate's file from its first bytes; None when
    it is neither a PDF nor a PNG or JPEG scan."""
    for magic, extension, media_type in DOCUMENT_KINDS:
        if head.startswith(magic):
            return extension, media_type
    return None
