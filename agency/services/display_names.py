"""The names behind the ids and codes pages show: the playbook step an action or a case's
record came from (its title), and the users, teams and partners a case's history names."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.models import Action, AuditEvent, Case, Partner, Team, User
from agency.models.playbook import CaseEngine, PlaybookStep, PlaybookStepAction


def titles_of_actions(session: Session, actions: list[Action]) -> dict[int, str | None]:
    """action id -> the title of the playbook step it was made from (None: no step, no title)."""
    specs = {a.step_action_id for a in actions if a.step_action_id}
    titles = dict(session.execute(
        select(PlaybookStepAction.id, PlaybookStep.title)
        .join(PlaybookStep, PlaybookStep.id == PlaybookStepAction.step_id)
        .where(PlaybookStepAction.id.in_(specs))).all()) if specs else {}
    return {a.id: titles.get(a.step_action_id) for a in actions}


def titles_of_case(session: Session, case: Case) -> dict[str, str]:
    """step code -> title, in the playbook version the case runs."""
    rows = session.execute(
        select(PlaybookStep.code, PlaybookStep.title)
        .join(CaseEngine, CaseEngine.version_id == PlaybookStep.version_id)
        .where(CaseEngine.case_id == case.id, PlaybookStep.title.is_not(None)))
    return dict(rows.all())


@dataclass(frozen=True, slots=True)
class HistoryNames:
    """What a case's events name by id or code, by their names."""
    users: dict[int, str] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)  # id -> team code (labelled on screen)
    partners: dict[int, str] = field(default_factory=dict)
    steps: dict[str, str] = field(default_factory=dict)


def history_names(session: Session, case: Case, events: list[AuditEvent]) -> HistoryNames:
    """The users (actors and agents), teams, partners and steps ``events`` name."""
    def ids(name: str) -> set[int]:
        return {value for e in events for value in (e.changes or {}).get(name, ()) if value}

    user_ids = ids("agent_id") | {e.actor_id for e in events if e.actor_id}
    partner_ids = ids("partner_id")
    return HistoryNames(
        users=dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
        if user_ids else {},
        teams=dict(session.execute(select(Team.id, Team.code)).all()),
        partners=dict(session.execute(select(Partner.id, Partner.name)
                                      .where(Partner.id.in_(partner_ids))).all()) if partner_ids else {},
        steps=titles_of_case(session, case))
