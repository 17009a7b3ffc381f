"""Each class of server error hand fuzzing found (#11) is now a 4xx that says what was wrong."""
from __future__ import annotations

import io
import json

import pytest

from agency.models import Partner
from agency.services.directory import create_token
from tests._workspace import assigned_case, pair  # noqa: F401

HUGE = str(2 ** 63)
HUGER = str(2 ** 64 + 7)


@pytest.fixture
def lead(login, pair):
    login(pair[2])
    return pair[2]


@pytest.fixture
def api(session, scope, make_creditor):
    creditor = make_creditor("APIBAD")
    _, token = create_token(session, creditor=creditor.code)
    return {"Authorization": f"Bearer {token}"}


def test_a_nul_byte_in_a_path_a_query_or_a_form_is_a_400(client, lead, assigned_case):
    for url in ("/cases?q=a%00b", "/cases/RC-2026-000001%00", "/cases?creditor=%00",
                "/approvals?kind=%00", "/outbox?status=sent%00", "/playbooks/clinic%00",
                "/supervision?date=2026-03-02%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "caractère nul refusé" in response.get_data(as_text=True)
    case = assigned_case()
    response = client.post(f"/cases/{case.reference}/calls", data={"quick": "busy", "note": "a\x00b"})
    assert response.status_code == 400


def test_a_nul_byte_reaches_neither_the_api_nor_the_debtor_pages(client, api):
    response = client.get("/api/v1/cases?q=%00", headers=api)
    assert response.status_code == 400 and response.json["parameter"] == "q"
    assert client.get("/api/v1/cases/RC-1%00", headers=api).status_code == 400
    assert client.get("/d/abc%00").status_code == 400
    assert client.get("/p/abc%00").status_code == 400


def test_integers_beyond_what_the_database_holds_are_a_400_or_not_found(client, lead,
                                                                         assigned_case):
    for url in (f"/cases?page={HUGE}", f"/cases?agent={HUGER}", f"/calls?agent={HUGE}",
                "/cases?page=0", "/cases?page=-1", f"/approvals?creditor={HUGE}",
                f"/supervision?team={HUGE}", f"/playbooks/clinic-po02/export?version={HUGE}",
                "/cases?page=" + "9" * 5000):
        assert client.get(url).status_code == 400, url
    for url in (f"/portfolios/{HUGER}", f"/portfolios/{HUGE}/mapping", "/portfolios/" + "9" * 5000):
        assert client.get(url).status_code == 404, url
    case = assigned_case()
    assert client.post(f"/calls/{HUGE}", data={"quick": "busy"}).status_code == 404
    assert client.post(f"/cases/{case.reference}/calls",
                       data={"quick": "busy", "action_id": HUGE}).status_code == 400
    assert client.post(f"/cases/{case.reference}/calls",
                       data={"quick": "busy", "phone_id": HUGE}).status_code == 400
    assert client.post("/teams/reassign", data={"from_agent": HUGE, "to_agent": HUGER,
                                                "reason": "x"}).status_code == 400
    assert client.post(f"/teams/{lead.team_id}/rule", data={"strategy": "fixed", "agent_id": HUGE}
                       ).status_code == 400
    assert client.post(f"/cases/{case.reference}/partner-tasks",
                       data={"partner_id": HUGE, "instructions": "x"}).status_code == 400


def test_per_page_out_of_bounds_is_a_400_in_json(client, api):
    for per_page in ("0", "-5", "501", HUGE, "abc"):
        response = client.get(f"/api/v1/cases?per_page={per_page}", headers=api)
        assert response.status_code == 400, per_page
        assert response.json["parameter"] == "per_page" and response.json["error"]


def test_a_malformed_mapping_is_a_400(app, client, api, tmp_path):
    app.config["INTAKE_FOLDER"] = str(tmp_path)
    try:
        for mapping in ("{bad json", "[]", '{"Montant": ["x"]}', '{"Montant": 1}',
                        '{"Montant": "no_such_field"}', "null"):
            response = client.post("/api/v1/portfolios", headers=api,
                                   content_type="multipart/form-data",
                                   data={"file": (io.BytesIO(b"Qui;Combien\nAwa;1\n"), "f.csv"),
                                         "mapping": mapping})
            assert response.status_code == 400 and response.json["error"], mapping
    finally:
        app.config.pop("INTAKE_FOLDER", None)


def test_a_bad_date_is_a_400_on_every_form_that_takes_one(client, lead, pair, assigned_case,
                                                          session):
    case = assigned_case()
    partner = Partner(kind="bailiff", name="Me Diagne", email="etude@partner.test")
    session.add(partner)
    session.flush()
    for bad in ("2026-13-01", "2026-02-30", "ó", "20260304x", "99999-01-01", "0001-01-01"):
        assert client.post(f"/agents/{pair[0].id}/absence", data={"until": bad}).status_code == 400
        assert client.post(f"/cases/{case.reference}/calls", data={
            "outcome": "promise", "promise_date": bad, "promise_amount": "1000"}).status_code == 400
        assert client.post(f"/cases/{case.reference}/calls", data={
            "outcome": "callback", "callback_at": bad + "T10:00"}).status_code == 400
        assert client.post(f"/cases/{case.reference}/partner-tasks", data={
            "partner_id": str(partner.id), "due_date": bad, "instructions": "x"}).status_code == 400
        assert client.get(f"/supervision?date={bad}").status_code == 400, bad


def test_a_bad_reassignment_or_rule_is_a_400(client, lead, pair):
    assert client.post("/teams/reassign", data={"from_agent": "x", "to_agent": str(pair[1].id),
                                                "reason": "x"}).status_code == 400
    assert client.post("/teams/reassign", data={"from_agent": str(pair[0].id),
                                                "to_agent": str(pair[1].id)}).status_code == 400
    assert client.post(f"/teams/{lead.team_id}/rule", data={"strategy": "lottery"}).status_code == 400
    assert client.post(f"/teams/{lead.team_id}/rule", data={"strategy": ""}).status_code == 400
    unknown_creditor = client.post(f"/teams/{lead.team_id}/rule",
                                   data={"strategy": "by_count", "creditor_id": "999999"})
    assert unknown_creditor.status_code == 400  # was a foreign-key IntegrityError


def test_a_playbook_text_yaml_cannot_read_is_shown_again_with_why(client, login, make_user, session,
                                                                    scope):
    from agency.domain.playbook import load_builtin
    from agency.services.engine.playbooks import save_playbook
    row, _ = save_playbook(session, load_builtin("clinic-po02"))
    login(make_user("direction"))
    for text in ("2026-02-30", "[" * 5000):
        response = client.post(f"/playbooks/{row.name}", data={"text": text, "note": "essai"})
        assert response.status_code == 400
        assert "not valid YAML" in response.get_data(as_text=True)
        assert 'value="essai"' in response.get_data(as_text=True)


def test_json_posted_where_a_browser_posts_a_form_is_a_400(client):
    token, page = client.csrf_token()
    for body in ("1", "[]", '{"email": ["x"]}', "{bad"):
        response = client.post("/login", data=body, content_type="application/json", csrf=False,
                               headers={"X-CSRFToken": token, "Referer": page})
        assert response.status_code == 400, body


def test_the_400_page_says_which_parameter_and_why(client, lead):
    page = client.get(f"/cases?page={HUGE}").get_data(as_text=True)
    assert "page" in page and "un nombre entier entre 1 et 10000 est attendu" in page


def test_a_json_body_for_the_api_is_read_by_declaration(app):
    """read_json: a member of the wrong type is a BadParameter, never a TypeError."""
    from agency.web.params import BadParameter, Id, Text, read_json
    spec = {"id": Id(), "name": Text(10)}
    for body, name in ((json.dumps({"id": [1]}), "id"), (json.dumps({"name": {"a": 1}}), "name"),
                       ("[1]", "body"), ("{bad", "body"), (json.dumps({"id": 2 ** 40}), "id")):
        with app.test_request_context("/api/v1/x", method="POST", data=body,
                                      content_type="application/json"):
            with pytest.raises(BadParameter) as refused:
                read_json(spec)
            assert refused.value.name == name
    with app.test_request_context("/api/v1/x", method="POST", json={"id": "7", "name": " a "}):
        read = read_json(spec)
        assert (read.id, read.name) == (7, "a")
