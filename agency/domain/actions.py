"""How an action ends and who carries out each kind: the rules the actions service, the
case page, the CLI and the supervision share.

An action is open while planned, due or waiting for approval; it ends once, as done (with
an outcome saying how), skipped, cancelled or failed.
"""
from __future__ import annotations

WORKABLE_STATUSES = ("planned", "due")  # open for work: approved, or needing no approval
UNFINISHED_STATUSES = WORKABLE_STATUSES + ("waiting_approval",)
FINISHED_STATUSES = ("done", "skipped", "cancelled", "failed")

# The kinds a person carries out and then says so on the case page (or with
# `agency action complete`), with the outcomes that say how; the first is the usual one.
STAFF_OUTCOMES: dict[str, tuple[str, ...]] = {
    "letter": ("letter_posted",),
    "formal_notice": ("notice_served", "notice_posted"),
    "visit": ("visit_done", "debtor_absent"),
    "negotiation_meeting": ("meeting_held", "debtor_absent"),
    "suspend_service": ("suspension_confirmed",),
    "investigation": ("debtor_found", "debtor_not_found"),
    "injunction_file": ("file_lodged",),
}

# The kinds a job sends (the messages capability for SMS and email, the letters one for
# letters), by the job's name. Until it runs, such an action waits for its sender.
SENDER_JOBS: dict[str, str] = {"sms": "messages", "email": "messages",
                               "summary_email": "messages", "letter": "letters"}

# Kinds ended by their own path, never by the generic "done" button: a call by its call
# log (with the outcome of the call), a handover by the engine or by its approval.
CALL_KINDS = ("call", "callback", "counter_call")
OWN_PATH_KINDS = CALL_KINDS + ("handover",)


def staff_outcomes(kind: str) -> tuple[str, ...]:
    """The outcomes a person may give when saying an action of this kind was done."""
    return STAFF_OUTCOMES.get(kind, ())


def check_completion(kind: str, status: str, outcome: str | None) -> str:
    """The outcome a person's "done" records for an action; ValueError if it may not."""
    if status not in UNFINISHED_STATUSES:
        raise ValueError(f"this action is already {status}")
    if status == "waiting_approval":
        raise ValueError("this action waits for its approval")
    if kind in CALL_KINDS:
        raise ValueError("a call ends by logging the call")
    if kind == "handover":
        raise ValueError("a handover is carried out by the playbook or by its approval")
    outcomes = staff_outcomes(kind)
    if not outcomes:
        raise ValueError(f"a {kind} is sent by the {SENDER_JOBS.get(kind, 'engine')} job")
    if outcome is None:
        return outcomes[0]
    if outcome not in outcomes:
        raise ValueError(f"unknown outcome {outcome} for a {kind} (one of {', '.join(outcomes)})")
    return outcome
