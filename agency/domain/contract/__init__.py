"""A creditor's contract: its terms (commission, plans, approvals, automations, channels,
hours, playbook and segments), reading them as people write them, and the written
mandate's rule on contacting debtors.

* terms: ``ContractTerms`` (integer minor units and basis points) and its canonical form.
* values: reading one rate, amount or number as written ("15 %", "30 000,00"), and the
  refusals (``FieldError(field, message)``, ``ContractRejected``).
* reading: ``parse_terms`` applies any subset of the fields over the terms in force;
  permissions reads approvals, automations, channels and contact hours for it.
* identity: a creditor's identity as typed.
* mandate: ``Mandate``, ``mandate_verdict`` and ``contact_verdict``.
"""
from __future__ import annotations

from agency.domain.contract.mandate import (
    EXPLANATIONS, JURISDICTIONS, MANDATE_FIELDS, MANDATE_REQUIRED, ContactVerdict, Mandate,
    contact_verdict, document_kind, mandate_verdict, read_mandate, remittance_limit,
)
from agency.domain.contract.reading import (
    MAX_REMITTANCE_DAYS, PLAN_FIELDS, PLAYBOOK_DEFAULT, TERMS_FIELDS, TermsReading, check_terms,
    parse_terms,
)
from agency.domain.contract.terms import (
    APPROVAL_SUBJECTS, AUTOMATIONS, CHANNELS, COMMISSION_PHASES, CREDITOR_DECISIONS,
    ContractTerms, PlanBounds, channel_of, commission_phase,
)
from agency.domain.contract.values import (
    ContractRejected, FieldError, Refused, parse_rate, read_amount,
)

__all__ = [
    "APPROVAL_SUBJECTS", "AUTOMATIONS", "CHANNELS", "COMMISSION_PHASES", "CREDITOR_DECISIONS",
    "EXPLANATIONS", "JURISDICTIONS", "MANDATE_FIELDS", "MANDATE_REQUIRED", "MAX_REMITTANCE_DAYS",
    "PLAN_FIELDS", "PLAYBOOK_DEFAULT", "TERMS_FIELDS", "ContactVerdict", "ContractRejected",
    "ContractTerms",
    "FieldError", "Mandate", "PlanBounds", "Refused", "TermsReading", "channel_of",
    "check_terms", "commission_phase", "contact_verdict", "document_kind", "mandate_verdict", "parse_rate",
    "parse_terms", "read_amount", "read_mandate", "remittance_limit",
]
