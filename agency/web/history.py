"""A case's audit trail as people read it: who (by name), what (the verb's label), and each
change by the field's name with its values as the case page shows them: money in the case's
currency, dates as dates, agents, teams and partners by name, codes by their labels."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, gettext

from agency.domain.labels import AUDIT_FIELD, AUDIT_LINKS, N_, humanise
from agency.services.display_names import HistoryNames
from agency.templating import local_filter, money_filter
from agency.web.labels import actor_label_name, label, segment_label, step_name, verb_label

EMPTY = "∅"


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: str | None  # None: the event states a value, it does not change one
    after: str


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: datetime
    actor: str
    what: str
    changes: list[Change]
    reason: str | None


def history_lines(events, case, names: HistoryNames) -> list[HistoryLine]:
    """The case's events, newest first as given, ready for the history panel."""
    return [HistoryLine(at=event.at, actor=actor_name(event, names), what=verb_label(event.verb),
                        changes=_changes(event, case, names), reason=event.reason)
            for event in events]


def actor_name(event, names: HistoryNames) -> str:
    """Who acted: a user by name, a process, a partner or the debtor by what they are."""
    if event.actor_id in names.users:
        return names.users[event.actor_id]
    return actor_label_name(event.actor_label)


def _changes(event, case, names: HistoryNames) -> list[Change]:
    shown = []
    for name, values in (event.changes or {}).items():
        before, after = (list(values) + [None, None])[:2] if isinstance(values, list) else (None, values)
        if name in AUDIT_LINKS or (before is None and after is None):
            continue
        show = _FAMILY_VALUES.get((_family(event), name)) or _formatter(name, case, names)
        shown.append(Change(
            field=_field_name(_family(event), name),
            before=None if before is None else show(before),
            after=EMPTY if after is None else show(after)))
    return shown


# Fields whose codes depend on what the event is about: an action's kind, status and outcome
# are the action's, where a partner event's kind is the partner's and a case's status the case's.
_FAMILY_VALUES = {
    ("action", "kind"): lambda v: label("action_kind", v),
    ("action", "status"): lambda v: label("action_status", v),
    ("action", "outcome"): lambda v: label("action_outcome", v),
}
_FAMILY_FIELDS = {("action", "kind"): N_("Action"), ("action", "outcome"): N_("Issue")}


def _family(event) -> str:
    return (event.verb or "").split(".", 1)[0]


def _field_name(family: str, name: str) -> str:
    if (family, name) in _FAMILY_FIELDS:
        return gettext(_FAMILY_FIELDS[(family, name)])
    return label("audit_field", name) if name in AUDIT_FIELD else humanise(name)


def _formatter(name: str, case, names: HistoryNames) -> Callable[[object], str]:
    if name.endswith("_minor"):
        return lambda value: money_filter(value, case.currency)
    by_name = {
        "phase": lambda v: label("phase", v), "status": lambda v: label("case_status", v),
        "segment": lambda v: segment_label(case.creditor, v),
        "team_id": lambda v: label("team", names.teams.get(v)) if v in names.teams else str(v),
        "agent_id": lambda v: names.users.get(v, str(v)),
        "partner_id": lambda v: names.partners.get(v, str(v)),
        "kind": lambda v: label("partner_kind", v),
        "outcome": lambda v: label("partner_task_outcome", v),
        "channel": lambda v: label("channel", v),
        "step": lambda v: step_name(names.steps.get(v), v),
        "follow_ups": _follow_ups,
        "closed_at": lambda v: local_filter(_instant(v), case.debtor.timezone),
    }
    if name in by_name:
        return by_name[name]
    if name.endswith(("_until", "_date")):
        return _day
    return str


def _follow_ups(value) -> str:
    """"counter_call:12, callback:13" (what a call left to do) -> their labels."""
    kinds = [part.split(":", 1)[0] for part in str(value).split(",") if part.strip()]
    return ", ".join(label("action_kind", kind.strip()) for kind in kinds)


def _day(value) -> str:
    try:
        return format_date(date.fromisoformat(str(value)[:10]), "short")
    except ValueError:
        return str(value)


def _instant(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value
