"""The CLI's account commands: one rule for emails and passwords, revoking tokens, ending
sessions (issue #10 finding 8, issue #11)."""
import json

from agency.models import ApiToken
from agency.services.directory import create_token, creditor_for_token, find_user
from tests.factories import PASSWORD


def run_json(runner, *args, **kwargs):
    result = runner.invoke(args=[*args, "--json"], **kwargs)
    return result.exit_code, json.loads(result.stdout)


def test_a_cli_user_on_an_internal_domain_can_log_in(runner, client):
    code, doc = run_json(runner, "user", "create", "Lead@Agence.LOCAL", "--role", "team_lead",
                         "--password", "une phrase de passe longue")
    assert code == 0 and doc["email"] == "lead@agence.local"
    response = client.post("/login", data={"email": "lead@agence.local", "password": "une phrase de passe longue"})
    assert response.status_code == 302 and "/login" not in response.location


def test_weak_passwords_and_bad_emails_are_refused_by_the_cli(runner, session):
    for password, words in (("a", "at least 12 characters"), ("qwerty123456", "most common")):
        code, doc = run_json(runner, "user", "create", "admin2@agence.local", "--role", "admin",
                             "--password", password)
        assert code == 1 and doc["ok"] is False and words in doc["error"]
    assert find_user(session, "admin2@agence.local") is None
    code, doc = run_json(runner, "user", "create", "not-an-email", "--role", "agent")
    assert code == 1 and "not an email address" in doc["error"]


def test_user_password_checks_the_policy_and_ends_sessions(runner, client, login, make_user, session):
    user = make_user("agent")
    session.commit()  # a refused command rolls the test's shared session back: keep the user
    code, doc = run_json(runner, "user", "password", user.email, "--password", "short")
    assert code == 1 and "12 characters" in doc["error"]
    login(user)
    code, doc = run_json(runner, "user", "password", user.email, "--password", "a brand new passphrase")
    assert code == 0 and doc == {"ok": True, "email": user.email, "sessions_ended": 1}
    assert client.get("/cases").status_code == 302
    result = runner.invoke(args=["user", "password", user.email],
                           input="another long passphrase\nanother long passphrase\n")
    assert result.exit_code == 0 and "0 session(s) ended" in result.stdout


def test_user_deactivate_and_signout_end_its_sessions(runner, client, login, make_user):
    user = make_user("agent")
    login(user)
    code, doc = run_json(runner, "user", "signout", user.email)
    assert code == 0 and doc["sessions_ended"] == 1 and client.get("/cases").status_code == 302
    login(user)
    code, doc = run_json(runner, "user", "deactivate", user.email)
    assert code == 0 and doc == {"ok": True, "email": user.email, "active": False, "sessions_ended": 1}
    assert client.get("/cases").status_code == 302
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    code, doc = run_json(runner, "user", "deactivate", "nobody@agence.local")
    assert code == 1 and "unknown user" in doc["error"]


def test_token_revoke_by_prefix_or_id(runner, session, scope, make_creditor, client):
    make_creditor("TOK")
    first, first_token = create_token(session, creditor="TOK")
    second, second_token = create_token(session, creditor="TOK")
    session.flush()
    code, doc = run_json(runner, "token", "revoke", first.prefix)
    assert code == 0 and doc["id"] == first.id and doc["creditor"] == "TOK" and doc["revoked_at"]
    code, doc = run_json(runner, "token", "revoke", str(second.id))
    assert code == 0 and doc["prefix"] == second.prefix
    for token in (first_token, second_token):
        assert creditor_for_token(session, token) is None
        assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    code, doc = run_json(runner, "token", "revoke", "rcv_nothing")
    assert code == 1 and "no API token" in doc["error"]
    assert session.get(ApiToken, first.id).revoked_at is not None


def test_reset_two_factor(runner, client, session, login, make_user):
    admin = make_user("admin")
    login(admin)
    assert admin.has_two_factor
    code, doc = run_json(runner, "user", "reset-2fa", admin.email)
    assert code == 0 and doc["two_factor"] is False and doc["sessions_ended"] == 1
    session.refresh(admin)
    assert not admin.has_two_factor and client.get("/cases").status_code == 302
