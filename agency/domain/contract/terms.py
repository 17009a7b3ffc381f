"""A creditor's contract terms as one immutable value, and the canonical form it is stored in.

Amounts are integers of minor units of the creditor's currency, rates are basis points
(1500 = 15 %): never floats. A stored version (``creditor_terms.terms``) is
``ContractTerms.to_dict()``; ``from_dict`` reads it back, a key missing from an older row
taking its default, so fields can be added without rewriting history.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from agency.domain.playbook.model import ACTION_KINDS
from agency.domain.segments import SegmentRule, parse_rule

# Commission may differ by phase: the amicable phases, and the court's.
COMMISSION_PHASES = ("amicable", "judicial")
_JUDICIAL_PHASES = frozenset({"judicial", "injunction", "enforcement"})

# How the agency reaches a debtor; an action kind that sends something uses one of them.
CHANNELS = ("call", "sms", "email", "letter")
CHANNEL_OF_KIND = {"call": "call", "callback": "call", "counter_call": "call", "sms": "sms",
                   "email": "email", "summary_email": "email", "letter": "letter",
                   "formal_notice": "letter"}

# What needs the creditor's own approval (the list), beside the action kinds a
# contract may put under someone's approval (e.g. letters under the direction's).
CREDITOR_DECISIONS = ("plan_outside_bounds", "discount_beyond_limit", "legal_action",
                      "suspend_service")
APPROVAL_SUBJECTS = tuple(dict.fromkeys(CREDITOR_DECISIONS + ACTION_KINDS))
LEGAL_ACTION_KINDS = ("injunction_file",)
DEFAULT_APPROVALS = {"plan_outside_bounds": "creditor", "discount_beyond_limit": "creditor"}

# What the agency may do without asking, with its parameters; each one emails the creditor.
AUTOMATIONS: dict[str, tuple[str, ...]] = {
    "open_investigation": (),                   # letters returned and no channel left
    "start_procedure": ("min_balance_minor",),  # amicable phase over, file complete
    "accept_plans": ("max_instalments",),       # plans of up to N instalments
}

DEFAULT_DAYS = (5, 15, 25)


def commission_phase(case_phase: str | None) -> str:
    """The commission phase of a case's phase: judicial for the court's phases."""
    return "judicial" if case_phase in _JUDICIAL_PHASES else "amicable"


def channel_of(kind: str) -> str | None:
    """The channel an action kind contacts the debtor through; None for other work."""
    return CHANNEL_OF_KIND.get(kind)


@dataclass(frozen=True, slots=True)
class PlanBounds:
    """What an instalment plan may be without the creditor's approval (monthly instalments)."""

    max_instalments: int = 12
    min_instalment_minor: int = 0
    max_months: int = 12
    days: tuple[int, ...] = DEFAULT_DAYS  # the days of the month a debtor may choose

    def to_dict(self) -> dict[str, Any]:
        return {"max_instalments": self.max_instalments,
                "min_instalment_minor": self.min_instalment_minor,
                "max_months": self.max_months, "days": list(self.days)}


def _frozen(value: Any) -> Any:
    """A read-only copy of plain data: mappings become proxies, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in sorted(value.items())}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class ContractTerms:
    """Everything the agency agreed with a creditor, as in force from one day on."""

    playbook: str | None = None
    segment_rule: SegmentRule | None = None
    own_segments: bool = False  # the creditor's own rule, kept when the playbook changes
    commission_bp: Mapping[str, int] = field(
        default_factory=lambda: _frozen(dict.fromkeys(COMMISSION_PHASES, 0)))
    cap_minor: int | None = None  # per case
    fixed_fee_minor: int = 0      # per case
    vat_bp: int = 0
    remittance_days: int = 30
    payment_term_days: int = 30   # for claims with no due date
    plan: PlanBounds = PlanBounds()
    partial_payment_min_minor: int = 0
    discount_max_bp: int = 0
    approvals: Mapping[str, str] = field(default_factory=lambda: _frozen(DEFAULT_APPROVALS))
    automations: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: _frozen({}))
    channels: frozenset[str] = frozenset(CHANNELS)
    # Narrower contact hours: contact-policy settings by "default" or country code.
    contact_hours: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: _frozen({}))
    counter_call_spacing_minutes: int = 120

    def __post_init__(self) -> None:
        for name in ("commission_bp", "approvals", "automations", "contact_hours"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "channels", frozenset(self.channels))

    def commission_for(self, case_phase: str | None) -> int:
        """The commission rate (basis points) on amounts collected in that phase."""
        return self.commission_bp[commission_phase(case_phase)]

    def needs_creditor(self) -> frozenset[str]:
        """The subjects that need the creditor's own approval."""
        return frozenset(subject for subject, role in self.approvals.items() if role == "creditor")

    def action_approvals(self) -> dict[str, str]:
        """Action kind -> approver role, for the engine (legal action: the injunction file)."""
        rules = {kind: role for kind, role in self.approvals.items() if kind in ACTION_KINDS}
        if "legal_action" in self.approvals:
            for kind in LEGAL_ACTION_KINDS:
                rules.setdefault(kind, self.approvals["legal_action"])
        return rules

    def allows(self, channel: str) -> bool:
        return channel in self.channels

    def to_dict(self) -> dict[str, Any]:
        """The canonical stored form (JSON), which ``from_dict`` reads back."""
        return {
            "playbook": self.playbook,
            "segments": self.segment_rule.to_dict() if self.segment_rule else None,
            "own_segments": self.own_segments,
            "commission_bp": {phase: self.commission_bp[phase] for phase in COMMISSION_PHASES},
            "cap_minor": self.cap_minor, "fixed_fee_minor": self.fixed_fee_minor,
            "vat_bp": self.vat_bp, "remittance_days": self.remittance_days,
            "payment_term_days": self.payment_term_days, "plan": self.plan.to_dict(),
            "partial_payment_min_minor": self.partial_payment_min_minor,
            "discount_max_bp": self.discount_max_bp, "approvals": _plain(self.approvals),
            "automations": _plain(self.automations),
            "channels": [channel for channel in CHANNELS if channel in self.channels],
            "contact_hours": _plain(self.contact_hours),
            "counter_call_spacing_minutes": self.counter_call_spacing_minutes,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ContractTerms:
        """Read a stored version (checked when it was written); missing keys: defaults."""
        default = cls()
        plan = data.get("plan") or {}
        return cls(
            playbook=data.get("playbook"),
            segment_rule=parse_rule(data["segments"]) if data.get("segments") else None,
            own_segments=bool(data.get("own_segments", False)),
            commission_bp={phase: int((data.get("commission_bp") or {}).get(phase, 0))
                           for phase in COMMISSION_PHASES},
            cap_minor=data.get("cap_minor"),
            fixed_fee_minor=data.get("fixed_fee_minor", 0),
            vat_bp=data.get("vat_bp", 0),
            remittance_days=data.get("remittance_days", default.remittance_days),
            payment_term_days=data.get("payment_term_days", default.payment_term_days),
            plan=PlanBounds(
                max_instalments=plan.get("max_instalments", default.plan.max_instalments),
                min_instalment_minor=plan.get("min_instalment_minor", 0),
                max_months=plan.get("max_months", default.plan.max_months),
                days=tuple(plan.get("days", DEFAULT_DAYS))),
            partial_payment_min_minor=data.get("partial_payment_min_minor", 0),
            discount_max_bp=data.get("discount_max_bp", 0),
            approvals=data.get("approvals", DEFAULT_APPROVALS),
            automations=data.get("automations") or {},
            channels=frozenset(data.get("channels", CHANNELS)),
            contact_hours=data.get("contact_hours") or {},
            counter_call_spacing_minutes=data.get("counter_call_spacing_minutes",
                                                  default.counter_call_spacing_minutes),
        )
