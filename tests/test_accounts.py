"""Sessions that end (logout, password, deactivation, idle, age), the second factor, the
password policy in the forms, the caps per address, and the admin's account page."""
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from agency.domain.timezones import now_utc
from agency.models import UserSession
from agency.services.accounts import login as logins
from agency.services.accounts.sessions import SessionPolicy, open_session, resume_session
from tests.conftest import T0, BrowserClient
from tests.factories import PASSWORD, enrol_two_factor, totp_code


def other_browser(app) -> BrowserClient:
    app.test_client_class = BrowserClient
    return app.test_client()


def sign_in(browser, user, password=PASSWORD):
    response = browser.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302 and "/login" not in response.location, response.data[:300]
    return browser


def signed_in(browser) -> bool:
    return browser.get("/account").status_code == 200


def test_a_password_change_ends_the_other_sessions(app, client, make_user):
    user = make_user("agent")
    laptop, phone = sign_in(client, user), sign_in(other_browser(app), user)
    changed = laptop.post("/account/password", data={"current": PASSWORD, "new": "a new passphrase 2026",
                                                     "confirm": "a new passphrase 2026"})
    assert changed.status_code == 302
    assert signed_in(laptop) and not signed_in(phone)
    assert phone.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    sign_in(other_browser(app), user, "a new passphrase 2026")


@pytest.mark.parametrize("new, words", [
    ("short", "au moins 12 caractères"),
    ("qwerty123456", "plus courants"),
])
def test_a_weak_new_password_is_refused_with_its_reason(client, make_user, new, words):
    login_as = sign_in(client, make_user("agent"))
    response = login_as.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert signed_in(login_as)


def test_sessions_end_when_idle_and_when_too_old(app, client, make_user, monkeypatch):
    clock = [now_utc()]
    for module in ("agency.auth.sessions", "agency.auth.login"):
        monkeypatch.setattr(f"{module}.now_utc", lambda: clock[0])
    user = make_user("agent")
    sign_in(client, user)
    clock[0] += timedelta(minutes=29)
    assert signed_in(client)                   # activity noted
    clock[0] += timedelta(minutes=29)
    assert signed_in(client)                   # 29 minutes after the last activity
    clock[0] += timedelta(minutes=31)
    assert not signed_in(client)               # idle for 31 minutes

    sign_in(client, user)
    for _ in range(35):                         # active every 20 minutes, for 11 h 40
        clock[0] += timedelta(minutes=20)
        assert signed_in(client)
    clock[0] += timedelta(minutes=20)           # 12 hours after login
    assert not signed_in(client)


def test_resume_session_reads_the_instant_it_is_given(session, scope, make_user):
    user = make_user("agent")
    token = open_session(session, user)
    policy = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))
    assert resume_session(session, token, now=T0 + timedelta(seconds=30), policy=policy) is user
    row = session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert row.last_seen_at == T0                           # written at most once a minute
    assert resume_session(session, token, now=T0 + timedelta(minutes=2), policy=policy) is user
    assert row.last_seen_at == T0 + timedelta(minutes=2)
    assert resume_session(session, token, now=T0 + timedelta(minutes=33), policy=policy) is None
    assert row.ended_by == "idle"
    assert resume_session(session, token, now=T0 + timedelta(minutes=34), policy=policy) is None
    assert resume_session(session, "not-a-session", now=T0, policy=policy) is None


def test_totp_enrolment_then_login_with_a_code_and_with_a_recovery_code(app, client, session, make_user):
    user = make_user("agent")
    sign_in(client, user)
    codes = enrol_two_factor(client, session, user)
    assert len(codes) == 10 and user.has_two_factor
    assert "totp-secret" not in client.get("/account/two-factor", follow_redirects=True).get_data(as_text=True)
    client.post("/logout")

    browser = other_browser(app)
    step_one = browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert step_one.location.endswith("/login/code") and not signed_in(browser)
    assert browser.post("/login/code", data={"code": "000000"}).status_code == 200
    assert not signed_in(browser)
    done = browser.post("/login/code", data={"code": totp_code(session, user)})
    assert done.status_code == 302 and signed_in(browser)

    for attempt in range(2):
        fresh = other_browser(app)
        fresh.post("/login", data={"email": user.email, "password": PASSWORD})
        answer = fresh.post("/login/code", data={"code": codes[0].upper().replace("-", " ")})
        assert signed_in(fresh) is (attempt == 0)     # a recovery code works once
        if attempt:
            assert "Code incorrect" in answer.get_data(as_text=True)


def test_a_totp_code_is_accepted_once(app, client, session, make_user):
    user = make_user("agent")
    sign_in(client, user)
    enrol_two_factor(client, session, user)
    session.refresh(user)
    used = pyotp.TOTP(user.totp_secret).at(user.totp_last_step * 30)
    browser = other_browser(app)
    browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert browser.post("/login/code", data={"code": used}).status_code == 200 and not signed_in(browser)


def test_five_wrong_codes_lock_the_account(app, client, session, make_user):
    user = make_user("agent")
    sign_in(client, user)
    enrol_two_factor(client, session, user)
    browser = other_browser(app)
    browser.post("/login", data={"email": user.email, "password": PASSWORD})
    answers = [browser.post("/login/code", data={"code": "123456"}).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert browser.post("/login/code", data={"code": totp_code(session, user)}).status_code in (302, 429)
    assert not signed_in(browser)


@pytest.mark.parametrize("role", ["admin", "direction"])
def test_admin_and_direction_reach_nothing_but_enrolment_until_enrolled(client, session, make_user, role):
    user = make_user(role)
    sign_in(client, user)
    for url in ("/cases", "/teams", "/account"):
        response = client.get(url)
        assert response.status_code == 302 and response.location.endswith("/account/two-factor"), url
    assert client.get("/account/two-factor").status_code == 200
    enrol_two_factor(client, session, user)
    assert client.get("/cases").status_code == 200


def test_a_creditor_can_require_the_second_factor_of_its_users(client, session, runner, make_user,
                                                               make_creditor):
    creditor = make_creditor("SAFE")
    user = make_user("creditor", creditor="SAFE")
    result = runner.invoke(args=["creditor", "two-factor", "SAFE", "--require", "--json"])
    assert result.exit_code == 0, result.output
    session.refresh(creditor)
    assert creditor.require_two_factor
    sign_in(client, user)
    assert client.get("/portal/").location.endswith("/account/two-factor")


def test_the_password_is_checked_against_a_dummy_hash_for_unknown_emails(client, make_user, monkeypatch):
    checked = []
    real = logins.verify_password
    monkeypatch.setattr(logins, "verify_password", lambda stored, pw: checked.append(stored) or real(stored, pw))
    user = make_user("agent")
    client.post("/login", data={"email": user.email, "password": "wrong password!"})
    client.post("/login", data={"email": "ghost@test.example", "password": "wrong password!"})
    assert len(checked) == 2 and checked[0] != checked[1]
    assert checked[1].startswith(checked[0].rsplit("$", 2)[0])   # same argon2 parameters


def test_logins_per_address_are_capped_in_redis(app, client, make_user, monkeypatch, redis_conn):
    monkeypatch.setitem(app.config, "LOGIN_RATE_PER_ADDRESS", "3 per minute")
    answers = [client.post("/login", data={"email": f"someone{n}@test.example", "password": "x"}).status_code
               for n in range(4)]
    assert answers == [200, 200, 200, 429]
    assert "Trop de tentatives" in client.post("/login", data={"email": "a@b.test", "password": "x"}).get_data(as_text=True)
    assert redis_conn.keys("*recouvra*login-address*")


def test_the_admin_signs_a_user_out_everywhere_and_deactivates_it(app, client, login, make_user):
    agent = make_user("agent")
    agents_browser = sign_in(other_browser(app), agent)
    login(make_user("admin"))
    page = client.get("/accounts").get_data(as_text=True)
    assert agent.email in page and "Gestionnaire" in page
    assert client.post(f"/accounts/{agent.id}/sign-out").status_code == 302
    assert not signed_in(agents_browser)
    agents_browser = sign_in(other_browser(app), agent)
    assert client.post(f"/accounts/{agent.id}/deactivate").status_code == 302
    assert not signed_in(agents_browser)
    refused = other_browser(app).post("/login", data={"email": agent.email, "password": PASSWORD})
    assert refused.status_code == 200 and "incorrect" in refused.get_data(as_text=True)


def test_the_server_error_page_reveals_nothing(app, client, monkeypatch):
    def boom():
        raise RuntimeError("secret internals at /srv/recouvra/agency/db.py line 42")
    monkeypatch.setitem(app.view_functions, "auth.health", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    boom.allowed = frozenset({"public"})
    response = client.get("/healthz")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "Erreur du serveur" in html
    assert "secret internals" not in html and "Traceback" not in html and "RuntimeError" not in html


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.json == {"error": "not found"}


def test_the_lock_grows_and_a_login_clears_it(session, make_user):
    from agency.models import LoginThrottle
    from agency.services.audit import Actor, audit_scope
    user = make_user("agent")
    subject = logins.throttle_subject(user.email)

    def attempt(at, password="wrong password!"):
        with audit_scope(session, Actor.system("test"), at):
            return logins.check_password_login(session, email=user.email.upper(), password=password)

    results = [attempt(T0 + timedelta(seconds=n)) for n in range(5)]
    assert [r.locked_until for r in results[:4]] == [None] * 4
    assert results[4].locked_until == T0 + timedelta(seconds=4, minutes=1) and results[4].lock_message_id
    assert attempt(T0 + timedelta(seconds=30), PASSWORD).user is None           # locked: not even checked
    later = T0 + timedelta(minutes=2)
    results = [attempt(later + timedelta(seconds=n)) for n in range(5)]
    assert results[4].locked_until == later + timedelta(seconds=4, minutes=5)   # the second lock is longer
    free = later + timedelta(minutes=6)
    assert attempt(free, PASSWORD).user == user
    with audit_scope(session, Actor.system("test"), free):
        logins.clear_failures(session, subject)
    row = session.get(LoginThrottle, subject, populate_existing=True)
    assert row.failures == 0 and row.locked_until is None
    attempt(free + timedelta(minutes=1))
    assert logins.forget_old_failures(session, now=free + timedelta(hours=2)) == 0
    assert logins.forget_old_failures(session, now=free + timedelta(days=2)) == 1
    assert session.get(LoginThrottle, subject) is None


def test_the_daily_job_forgets_old_failure_counts(session, scope):
    from agency.models import LoginThrottle
    from workers.accounts import forget_login_failures
    from workers.schedule import _periodic
    session.add_all([LoginThrottle(subject="old", failures=3, last_failure_at=T0 - timedelta(days=3)),
                     LoginThrottle(subject="fresh", failures=3, last_failure_at=now_utc())])
    session.flush()
    assert forget_login_failures() == 1
    assert {r.subject for r in session.scalars(select(LoginThrottle))} == {"fresh"}
    assert "accounts.forget_login_failures" in {entry.name for entry in _periodic()}
