"""Stored playbooks: versions saved as data (never edited), imported, exported, adopted.

A version is validated canonical data plus its steps as ``playbook_step`` rows (from
``flatten``), which the daily pass joins in SQL. Saving a playbook whose content equals a
stored version of the same name returns that version; a different content becomes the
next version number (the number in the file is only a hint), so a case keeps running the
exact version it was enrolled on.
"""
from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agency.domain.money import currency_exponent
from agency.domain.playbook import (
    Playbook, PlaybookError, builtin_names, dump_json, dump_yaml, flatten, load_builtin, load_json,
    load_yaml, playbook_from_dict, playbook_to_dict,
)
from agency.models import Creditor
from agency.models.playbook import PlaybookStep, PlaybookStepAction, PlaybookVersion
from agency.services.audit import current_scope, record


def checksum(playbook: Playbook) -> str:
    """The content's fingerprint, whatever version number it carries."""
    data = playbook_to_dict(playbook)
    data.pop("version")
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def save_playbook(session: Session, playbook: Playbook, *, note: str | None = None,
                  ) -> tuple[PlaybookVersion, bool]:
    """Store a playbook as a version of its name; (version, created)."""
    digest = checksum(playbook)
    same = session.scalar(select(PlaybookVersion).where(
        PlaybookVersion.name == playbook.name, PlaybookVersion.checksum == digest)
        .order_by(PlaybookVersion.version.desc()).limit(1))
    if same is not None:
        return same, False
    latest = session.scalar(select(func.max(PlaybookVersion.version))
                            .where(PlaybookVersion.name == playbook.name)) or 0
    number = max(playbook.version, latest + 1)
    data = playbook_to_dict(playbook) | {"version": number}
    stored = playbook_from_dict(data)
    scope = current_scope(session)
    row = PlaybookVersion(
        name=stored.name, version=number, title=stored.title, currency=stored.currency,
        has_segments=bool(stored.segments), catch_up=stored.catch_up, resume=stored.resume,
        definition=data, checksum=digest, note=note, created_by=scope.actor.label,
        created_at=scope.now)
    row.steps = [_step_row(step) for step in flatten(stored)]
    session.add(row)
    session.flush()
    record(session, verb="playbook.saved", changes={"playbook": [None, f"{row.name} v{number}"]},
           reason=note)
    return row, True


def _step_row(step) -> PlaybookStep:
    days = {"days": 1, "weeks": 7}.get(step.unit)
    refs = set(step.references)
    return PlaybookStep(
        code=step.code, segment=step.segment or "", position=step.position, rank=step.rank,
        title=step.title, offset_days=step.offset * days if days else None,
        offset_months=step.offset if step.unit == "months" else None,
        ref_deposit="deposit_date" in refs, ref_due="due_date" in refs,
        ref_intake="intake_date" in refs, ref_issue="issue_date" in refs,
        previous_code=step.previous_code, overdue_above_minor=step.overdue_above_minor,
        no_payment_since_days=step.no_payment_since_days, promise_broken=step.promise_broken,
        plan_broken=step.plan_broken, approver_role=step.approver_role,
        actions=[PlaybookStepAction(
            position=a.position, kind=a.kind, assignee_role=a.assignee_role, template=a.template,
            label=a.label, to_phase=a.to_phase, to_team=a.to_team, approver_role=a.approver_role,
            overdue_above_minor=a.overdue_above_minor, no_payment_since_days=a.no_payment_since_days,
            promise_broken=a.promise_broken, plan_broken=a.plan_broken) for a in step.actions])


def parse_playbook(text: str, fmt: str | None = None) -> Playbook:
    """A playbook from YAML or JSON text (JSON if it starts with a brace)."""
    fmt = fmt or ("json" if text.lstrip().startswith("{") else "yaml")
    return load_json(text) if fmt == "json" else load_yaml(text)


def import_playbook(session: Session, text: str, fmt: str | None = None,
                    note: str | None = None) -> tuple[PlaybookVersion, bool]:
    return save_playbook(session, parse_playbook(text, fmt), note=note)


def find_version(session: Session, name: str, version: int | None = None) -> PlaybookVersion | None:
    """A stored version; the latest when ``version`` is None."""
    query = select(PlaybookVersion).where(PlaybookVersion.name == name)
    if version is not None:
        query = query.where(PlaybookVersion.version == version)
    return session.scalar(query.order_by(PlaybookVersion.version.desc()).limit(1))


def export_playbook(session: Session, name: str, fmt: str = "yaml",
                    version: int | None = None) -> str:
    """The stored playbook (or a built-in not stored yet) as YAML or JSON text."""
    row = find_version(session, name, version)
    if row is not None:
        playbook = playbook_of(row)
    elif version is None and name in builtin_names():
        playbook = load_builtin(name)
    else:
        raise PlaybookError([f"no playbook {name!r}" + (f" version {version}" if version else "")])
    return dump_json(playbook) if fmt == "json" else dump_yaml(playbook)


def playbook_of(row: PlaybookVersion) -> Playbook:
    """The domain playbook of a stored version (parsed once per content)."""
    return _parsed(row.checksum, row.version, json.dumps(row.definition, sort_keys=True))


@lru_cache(maxsize=256)
def _parsed(digest: str, version: int, text: str) -> Playbook:
    return playbook_from_dict(json.loads(text))


def list_playbooks(session: Session) -> list[dict]:
    """Every stored name with its latest version, and the creditors that run it."""
    rows = session.execute(select(PlaybookVersion.name, func.max(PlaybookVersion.version))
                           .group_by(PlaybookVersion.name).order_by(PlaybookVersion.name)).all()
    users = {}
    for code, name in session.execute(select(Creditor.code, Creditor.playbook_name)):
        users.setdefault(name, []).append(code)
    stored = [{"name": n, "latest_version": v, "creditors": sorted(users.get(n, []))}
              for n, v in rows]
    known = {item["name"] for item in stored}
    return stored + [{"name": n, "latest_version": None, "creditors": sorted(users.get(n, [])),
                      "builtin": True} for n in builtin_names() if n not in known]


def ensure_builtins(session: Session) -> list[PlaybookVersion]:
    """Every built-in playbook stored (idempotent)."""
    return [save_playbook(session, load_builtin(name), note="built-in")[0]
            for name in builtin_names()]


def adopt_playbook(session: Session, creditor: Creditor, source: str, *,
                   rate: Fraction | None = None) -> PlaybookVersion:
    """Give a creditor a playbook: the stored or built-in ``source``, in its currency.

    Another currency makes a copy named ``<source>-<creditor code>``; its amounts are
    converted at ``rate`` (creditor's major units per one of the playbook's), required
    when the playbook has amounts.
    """
    version, _ = save_playbook(session, playbook_for(session, creditor, source, rate=rate),
                               note=f"adopted by {creditor.code}")
    creditor.playbook_name = version.name
    session.flush()
    return version


def playbook_for(session: Session, creditor: Creditor, source: str, *,
                 rate: Fraction | None = None) -> Playbook:
    """The playbook ``source`` as the creditor would run it, without storing anything: the
    stored or built-in one, or its copy converted to the creditor's currency. Raises
    KeyError for an unknown name, PlaybookError when a conversion needs a rate."""
    row = find_version(session, source)
    playbook = playbook_of(row) if row is not None else load_builtin(source)
    if playbook.currency != creditor.currency:
        data = _converted(playbook_to_dict(playbook), playbook.currency, creditor.currency, rate)
        data["name"] = f"{source}-{creditor.code.lower()}"[:64]
        playbook = playbook_from_dict(data)
    return playbook


def _converted(data: dict, source: str, target: str, rate: Fraction | None) -> dict:
    factor = None if rate is None else (Fraction(rate) * 10 ** currency_exponent(target)
                                        / 10 ** currency_exponent(source))

    def convert(amount: int) -> int:
        if factor is None:
            raise PlaybookError([f"the playbook has amounts in {source}: give a rate to {target}"])
        return int(round(amount * factor))

    def walk(condition: dict | None) -> None:
        if condition and "overdue_balance_above" in condition:
            value = condition["overdue_balance_above"]
            condition["overdue_balance_above"] = (
                {k: convert(v) for k, v in value.items()} if isinstance(value, dict) else convert(value))
    segments = data.get("segments")
    if isinstance(segments, dict):  # the default segmentation rule's band minimums
        for band in segments["bands"]:
            band["min"] = convert(band["min"]) if band["min"] else 0
    for step in data["steps"]:
        walk(step.get("condition"))
        for action in step["actions"]:
            walk(action.get("condition"))
    return data | {"currency": target}
