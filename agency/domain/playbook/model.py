"""The playbook as data: immutable steps, conditions and actions (no I/O here).

A playbook is a creditor's escalation procedure: an ordered list of steps, each
falling due an offset after a reference date of a claim (or after the previous
step's completion), for some segments, under an optional condition, with one or
more actions for a role. Amounts are integers of minor units of the playbook's
currency (XOF has no decimals, so 10000000 is 10 million F CFA; for MAD 500000
is 5 000,00 MAD), like every amount in the system.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from agency.domain.segments import SegmentRule

UNITS = ("days", "weeks", "months")

# Claim dates a step may count from. Several may be listed: the step then counts
# from the later of them ("1 day after intake or due date, whichever is later").
CLAIM_REFERENCES = ("deposit_date", "due_date", "intake_date", "issue_date")
PREVIOUS_STEP = "previous_step"
REFERENCES = CLAIM_REFERENCES + (PREVIOUS_STEP,)

CATCH_UP_POLICIES = ("skip", "all")
RESUME_POLICIES = ("stay", "shift")

ACTION_KINDS = (
    "call", "sms", "email", "summary_email", "letter", "visit",
    "negotiation_meeting", "formal_notice", "suspend_service", "handover",
    "investigation", "injunction_file",
)
# Kinds that send a document or message, and so may name a template.
TEMPLATED_KINDS = ("sms", "email", "summary_email", "letter", "formal_notice")

INTERNAL_ROLES = ("collection_officer", "team_lead", "finance_manager",
                  "operations_director", "direction")
TEAMS = ("amicable_team", "judicial_team", "injunction_team")
PARTNER_KINDS = ("home_visit", "bailiff", "investigator", "lawyer", "correspondent")
ASSIGNEE_ROLES = INTERNAL_ROLES + TEAMS + PARTNER_KINDS
APPROVER_ROLES = ("direction", "operations_director", "finance_manager", "team_lead", "creditor")

# Where a handover sends the case. agency_collection: a creditor's own procedure
# ends and the agency's collection takes over; creditor: handed back to it.
PHASES = ("amicable", "commercial", "personalised", "pre_litigation", "judicial",
          "injunction", "enforcement", "agency_collection", "creditor")


class PlaybookError(ValueError):
    """A playbook that does not validate; ``problems`` lists every fault found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid playbook:\n- " + "\n- ".join(self.problems))


@dataclass(frozen=True, slots=True)
class Offset:
    """An amount of time: n days, weeks or calendar months."""

    n: int
    unit: str


@dataclass(frozen=True, slots=True)
class When:
    """Falls due ``offset`` after ``references`` (the later of them if several)."""

    offset: Offset
    references: tuple[str, ...]

    @property
    def after_previous_step(self) -> bool:
        return self.references == (PREVIOUS_STEP,)


@dataclass(frozen=True, slots=True)
class Condition:
    """Every given clause must hold on the day.

    overdue balance: strictly above the threshold (minor units; one amount for every
    segment, or one per segment); no_payment_since_days: no payment in the last N
    days (true if never paid); promise_broken / plan_broken: a promise or plan of the
    case was broken on or before the day.
    """

    overdue_above: int | None = None
    overdue_above_by_segment: tuple[tuple[str, int], ...] = ()
    no_payment_since_days: int | None = None
    promise_broken: bool = False
    plan_broken: bool = False

    def overdue_threshold(self, segment: str | None) -> int | None:
        """The overdue-balance threshold for a segment, or None if there is none."""
        if self.overdue_above is not None:
            return self.overdue_above
        return dict(self.overdue_above_by_segment).get(segment) if segment else None

    @property
    def uses_overdue_balance(self) -> bool:
        return self.overdue_above is not None or bool(self.overdue_above_by_segment)


@dataclass(frozen=True, slots=True)
class Action:
    """One thing to do when a step fires, by a role, maybe after an approval."""

    kind: str
    assignee_role: str
    template: str | None = None
    label: str | None = None
    to_phase: str | None = None
    to_team: str | None = None
    needs_approval: bool = False
    approver_role: str | None = None
    condition: Condition | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """A step of the procedure; ``segments`` empty means every segment."""

    code: str
    when: When
    actions: tuple[Action, ...]
    title: str | None = None
    segments: tuple[str, ...] = ()
    condition: Condition | None = None
    needs_approval: bool = False
    approver_role: str | None = None

    def applies_to(self, segment: str | None) -> bool:
        return not self.segments or segment in self.segments

    def approval_for(self, action: Action) -> str | None:
        """The role that must approve the action: its own, else the step's; None if none."""
        if action.needs_approval:
            return action.approver_role
        return self.approver_role if self.needs_approval else None


@dataclass(frozen=True, slots=True)
class Playbook:
    """A named, versioned procedure; a case keeps the version it runs.

    ``segments`` names the segments its steps may be limited to; when written as a rule
    (``segments: {basis, bands: [{code, min}]}``) the playbook also carries a default
    ``segment_rule`` and its segments are the bands' codes, highest band first.
    """

    name: str
    version: int
    title: str
    currency: str
    steps: tuple[Step, ...]
    description: str = ""
    segments: tuple[str, ...] = ()
    catch_up: str = "skip"
    resume: str = "stay"
    payment_term_days: int = 30
    # The default segmentation rule a creditor taking the playbook gets unless it sets its
    # own (its bands are the playbook's segments, in its currency); None when it has none.
    segment_rule: SegmentRule | None = None
    _by_code: dict[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {step.code: step for step in self.steps})

    def step(self, code: str) -> Step:
        """The step with that code; KeyError if there is none."""
        return self._by_code[code]

    def steps_for(self, segment: str | None) -> tuple[Step, ...]:
        """The steps that apply to a segment, in the playbook's order."""
        return tuple(step for step in self.steps if step.applies_to(segment))

    def previous_step(self, code: str, segment: str | None) -> Step | None:
        """The step before ``code`` among those of the segment, or None for the first."""
        previous = None
        for step in self.steps_for(segment):
            if step.code == code:
                return previous
            previous = step
        raise KeyError(code)
