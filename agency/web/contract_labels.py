"""The words for a creditor's contract's codes (onboarding gaps, jurisdictions, approvals,
automations, channels, segment bases, contact verdicts), as the creditor pages and forms
use them: views of the tables of agency.domain.labels, translated when shown."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from agency.domain.labels import LABELS
from agency.web.labels import label

# The contract pages' names for the shared concepts.
CONCEPTS = {"gap": "onboarding_gap", "jurisdiction": "jurisdiction", "language": "letter_language",
            "phase": "commission_phase", "channel": "contract_channel",
            "decision": "creditor_decision", "automation": "automation", "basis": "segment_basis",
            "approver": "approver_role", "kind": "action_kind"}


def _lazy(concept: str) -> dict:
    return {code: _l(text) for code, text in LABELS[CONCEPTS[concept]].items()}


BASIS_LABELS, CHANNEL_LABELS, DECISION_LABELS = _lazy("basis"), _lazy("channel"), _lazy("decision")
JURISDICTION_LABELS, LANGUAGE_LABELS = _lazy("jurisdiction"), _lazy("language")


def verdict_label(verdict) -> str:
    """The sentence a page shows for a contact verdict (its warning when allowed)."""
    code = verdict.warning if verdict.allowed else verdict.code
    return label("contact_verdict", code) if code in LABELS["contact_verdict"] else verdict.explanation


def contract_label(concept: str, code: str | None) -> str:
    """The words for ``code`` of ``concept`` ('gap', 'channel', ...)."""
    return label(CONCEPTS[concept], code)
