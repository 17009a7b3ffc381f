"""Reassignment by hand (#10): one case from its page, a chosen set from the case list, through
reassign_cases (its open actions follow, each case audited with the reason); the count-based
move of the teams page, its lists labelled."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from agency.models import Action, AuditEvent
from agency.services.calls.assignment import AssignmentError, reassign_cases
from agency.services.directory import ensure_teams
from tests._workspace import WEDNESDAY, add_call, assigned_case, pair  # noqa: F401


def agent_changes(session, case):
    return [e for e in session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                       .order_by(AuditEvent.id)) if "agent_id" in e.changes]


def test_reassign_cases_moves_each_case_and_its_open_actions_with_an_audit(session, scope, pair,
                                                                          assigned_case):
    first, second, lead = pair
    one, two, theirs = assigned_case(first), assigned_case(first), assigned_case(second)
    open_call = add_call(session, one, WEDNESDAY, assignee=first)
    done_call = add_call(session, one, WEDNESDAY, assignee=first, status="done")
    assert reassign_cases(session, [one.id, two.id, theirs.id], second, "congés de Awa") == 2
    assert (one.agent_id, two.agent_id, theirs.agent_id) == (second.id,) * 3
    session.expire_all()
    assert session.get(Action, open_call.id).assignee_id == second.id
    assert session.get(Action, done_call.id).assignee_id == first.id
    for case in (one, two):
        (event,) = agent_changes(session, case)[-1:]
        assert event.changes["agent_id"] == [first.id, second.id] and event.reason == "congés de Awa"


def test_reassign_cases_refuses_what_it_cannot_do(session, scope, pair, assigned_case):
    first, second, _ = pair
    case = assigned_case(first)
    with pytest.raises(AssignmentError):
        reassign_cases(session, [case.id], second, " ")
    with pytest.raises(LookupError):
        reassign_cases(session, [case.id, 999_999], second, "x")
    case.status = "closed"
    session.flush()
    with pytest.raises(AssignmentError):
        reassign_cases(session, [case.id], second, "x")
    second.active = False
    with pytest.raises(AssignmentError):
        reassign_cases(session, [], second, "x")


def test_a_lead_reassigns_one_case_from_its_page(client, login, session, pair, assigned_case):
    first, second, lead = pair
    case = assigned_case(first)
    login(lead)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert re.search(r'<label[^>]*for="reassign-case-to"', page)
    assert re.search(r'<label[^>]*for="reassign-case-reason"', page)
    refused = client.post(f"/cases/{case.reference}/reassign", data={"to_agent": str(second.id)})
    assert refused.status_code == 400 and 'id="reassign-case"' in refused.get_data(as_text=True)
    moved = client.post(f"/cases/{case.reference}/reassign",
                        data={"to_agent": str(second.id), "reason": "portefeuille rééquilibré"})
    assert moved.status_code == 302
    session.refresh(case)
    assert case.agent_id == second.id
    assert agent_changes(session, case)[-1].reason == "portefeuille rééquilibré"


def test_a_lead_moves_only_its_team_cases_to_its_team(client, login, session, pair, assigned_case,
                                                      make_user):
    first, second, lead = pair
    ensure_teams(session)
    outsider = make_user("agent", team="judicial", name="Fatou")
    theirs = assigned_case(outsider)
    mine = assigned_case(first)
    login(lead)
    assert client.post(f"/cases/{theirs.reference}/reassign",
                       data={"to_agent": str(second.id), "reason": "x"}).status_code == 404
    refused = client.post(f"/cases/{mine.reference}/reassign",
                          data={"to_agent": str(outsider.id), "reason": "x"})
    assert refused.status_code == 400
    assert "hors de votre équipe" in refused.get_data(as_text=True)
    session.refresh(mine)
    assert mine.agent_id == first.id


def test_a_chosen_set_is_reassigned_from_the_case_list(client, login, session, pair, assigned_case):
    first, second, lead = pair
    one, two, left = assigned_case(first), assigned_case(first), assigned_case(first)
    login(lead)
    listing = client.get("/cases?agent=%d" % first.id).get_data(as_text=True)
    assert f'name="case_id" value="{one.id}" form="reassign-selection"' in listing
    assert re.search(r'<label[^>]*for="selection-to"', listing) and "Réassigner la sélection" in listing
    moved = client.post(f"/cases/reassign?agent={first.id}", data={
        "case_id": [str(one.id), str(two.id)], "to_agent": str(second.id), "reason": "absence"})
    assert moved.status_code == 302 and moved.location.endswith(f"/cases?agent={first.id}")
    for case in (one, two, left):
        session.refresh(case)
    assert (one.agent_id, two.agent_id, left.agent_id) == (second.id, second.id, first.id)
    assert agent_changes(session, two)[-1].reason == "absence"


def test_a_selection_refused_shows_the_list_again_with_the_ticks(client, login, session, pair,
                                                                 assigned_case):
    first, second, lead = pair
    one = assigned_case(first)
    login(lead)
    empty = client.post("/cases/reassign", data={"to_agent": str(second.id), "reason": "x"})
    assert empty.status_code == 400 and "Cochez au moins un dossier." in empty.get_data(as_text=True)
    no_reason = client.post("/cases/reassign", data={"case_id": [str(one.id)], "to_agent": str(second.id)})
    assert no_reason.status_code == 400
    assert re.search(rf'value="{one.id}" form="reassign-selection" id="select-{one.id}" checked',
                     no_reason.get_data(as_text=True))
    assert client.post("/cases/reassign", data={"case_id": ["999999"], "to_agent": str(second.id),
                                               "reason": "x"}).status_code == 400
    session.refresh(one)
    assert one.agent_id == first.id


def test_an_agent_sees_no_selection_and_may_not_reassign(client, login, pair, assigned_case):
    first, second, _ = pair
    case = assigned_case(first)
    login(first)
    assert 'form="reassign-selection"' not in client.get("/cases").get_data(as_text=True)
    assert client.post("/cases/reassign", data={"case_id": [str(case.id)], "to_agent": str(second.id),
                                               "reason": "x"}).status_code == 403
    assert client.post(f"/cases/{case.reference}/reassign",
                       data={"to_agent": str(second.id), "reason": "x"}).status_code == 403


def test_the_count_based_move_has_labelled_lists_without_a_default(client, login, session, pair,
                                                                    assigned_case):
    first, second, lead = pair
    assigned_case(first), assigned_case(first)
    login(lead)
    page = client.get("/teams").get_data(as_text=True)
    for field in ("bulk-from", "bulk-to", "bulk-creditor", "bulk-reason"):
        assert re.search(rf'<label[^>]*for="{field}"', page), field
    start = page.index('id="bulk-from"')
    assert re.search(r'<option value="" selected>|<option value="">', page[start:start + 300])
    same = client.post("/teams/reassign", data={"from_agent": str(first.id), "to_agent": str(first.id),
                                                "reason": "x"})
    assert same.status_code == 400 and 'value="x"' in same.get_data(as_text=True)
    assert client.post("/teams/reassign", data={"from_agent": str(first.id), "to_agent": str(second.id),
                                                "reason": "départ"}).status_code == 302
    assert "2 dossier(s) réaffecté(s)." in client.get("/teams").get_data(as_text=True)
