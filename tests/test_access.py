"""Every route against every role, anonymous, and another tenant's ids."""
import pytest

from agency.access import API, DEBTOR, PUBLIC
from agency.security import ROLES
from agency.services.directory import create_token
from debtor_portal import access_token


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        yield rule


def test_every_route_declares_its_audience(app):
    undeclared = [r.endpoint for r in routes(app)
                  if not getattr(app.view_functions[r.endpoint], "allowed", None)]
    assert undeclared == []


@pytest.fixture
def foreign_case(make_case, make_creditor):
    """A case of a creditor the users under test do not belong to."""
    return make_case(make_creditor("OTHER"))


def build(rule, case):
    values = {}
    for name in rule.arguments:
        values[name] = {"reference": case.reference, "ref": case.external_ref,
                        "token": "not-a-token", "code": "fr"}.get(name, "1")
    url = rule.build(values, append_unknown=False)[1]
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS", "HEAD"})[0]
    return method, url


def test_anonymous_is_sent_to_login_or_refused(app, client, foreign_case):
    for rule in routes(app):
        allowed = app.view_functions[rule.endpoint].allowed
        method, url = build(rule, foreign_case)
        response = client.open(url, method=method)
        if PUBLIC in allowed:
            assert response.status_code in (200, 302), url
        elif DEBTOR in allowed:
            assert response.status_code == 404, url
        elif API in allowed:
            assert response.status_code == 401, url
        else:
            assert response.status_code == 302 and "/login" in response.location, url


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_only_what_it_is_allowed(app, client, login, make_user, make_creditor,
                                                   foreign_case, role):
    own = make_creditor("MINE")
    user = make_user(role, creditor=own.code if role == "creditor" else None)
    login(user)
    for rule in routes(app):
        allowed = app.view_functions[rule.endpoint].allowed
        if rule.endpoint in ("auth.logout", "auth.set_language", "auth.sign_out_everywhere"):
            continue  # would end or alter the session under test
        method, url = build(rule, foreign_case)
        status = client.open(url, method=method).status_code
        if allowed & {PUBLIC, DEBTOR, API}:
            continue
        if role in allowed:  # a form posted empty is bad input: 400, never a 403 nor a 5xx
            assert status in (200, 302, 404) + ((400,) if method == "POST" else ()), (role, url, status)
            if role == "creditor":  # another creditor's case: not found, never shown
                assert status != 200 or "<reference>" not in rule.rule, (role, url)
        else:
            assert status == 403, (role, url, status)


def test_creditor_user_never_sees_another_creditors_case(client, login, make_user, make_case,
                                                          make_creditor, foreign_case):
    own = make_creditor("MINE")
    mine = make_case(own)
    login(make_user("creditor", creditor=own.code))
    assert client.get(f"/portal/cases/{mine.reference}").status_code == 200
    assert client.get(f"/portal/cases/{foreign_case.reference}").status_code == 404
    listing = client.get("/portal/").get_data(as_text=True)
    assert f"/portal/cases/{mine.reference}" in listing
    assert f"/portal/cases/{foreign_case.reference}" not in listing
    search = client.get(f"/portal/?q={foreign_case.reference}").get_data(as_text=True)
    assert f"/portal/cases/{foreign_case.reference}" not in search
    assert foreign_case.debtor.name not in search


def test_api_token_is_confined_to_its_creditor(session, client, make_case, make_creditor,
                                               foreign_case, scope):
    own = make_creditor("MINE")
    mine = make_case(own)
    _, token = create_token(session, creditor=own.code)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/cases/{mine.reference}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/cases/{mine.external_ref}", headers=headers).json["reference"] == mine.reference
    assert client.get(f"/api/v1/cases/{foreign_case.reference}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/cases/{foreign_case.external_ref}", headers=headers).status_code == 404
    listed = [c["reference"] for c in client.get("/api/v1/cases", headers=headers).json["cases"]]
    assert listed == [mine.reference]
    assert client.get("/api/v1/cases", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_debtor_link_opens_its_own_case_only(app, client, make_case, foreign_case):
    mine = make_case()
    with app.test_request_context():
        token = access_token(mine)
    page = client.get(f"/d/{token}")
    assert page.status_code == 200 and mine.reference in page.get_data(as_text=True)
    assert foreign_case.reference not in page.get_data(as_text=True)
    assert client.get(f"/d/{token[:-2]}xx").status_code == 404
