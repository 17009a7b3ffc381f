"""Logins: special-use account domains, throttling, no account enumeration, revocable
sessions, security headers and error pages (issues #10 finding 8 and #11)."""
from sqlalchemy import select

from agency.models import OutboundMessage
from tests.factories import PASSWORD


def test_an_account_on_a_special_use_domain_logs_in(client, login, make_user):
    for email in ("lead@agence.local", "qa@recouvra.test"):
        user = make_user("agent", email=email)
        login(user)
        assert client.get("/cases").status_code == 200
        client.post("/logout")


def test_sixth_attempt_is_locked_even_with_the_right_password(client, session, make_user):
    user = make_user("agent")
    for _ in range(4):
        response = client.post("/login", data={"email": user.email, "password": "wrong password!"})
        assert response.status_code == 200
    fifth = client.post("/login", data={"email": user.email, "password": "wrong password!"})
    assert fifth.status_code == 429
    sixth = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert sixth.status_code == 429 and "/logout" not in sixth.get_data(as_text=True)
    assert "Trop de tentatives" in sixth.get_data(as_text=True)
    assert client.get("/cases").status_code == 302
    mail = session.scalars(select(OutboundMessage).where(OutboundMessage.to_address == user.email)).all()
    assert len(mail) == 1 and mail[0].channel == "email" and mail[0].debtor_id is None


def test_unknown_and_known_emails_get_the_same_answer(client, make_user):
    user = make_user("agent")
    known = client.post("/login", data={"email": user.email, "password": "wrong password!"})
    unknown = client.post("/login", data={"email": "nobody@test.example", "password": "wrong password!"})
    assert known.status_code == unknown.status_code == 200
    assert _alerts(known) == _alerts(unknown)
    for _ in range(4):
        client.post("/login", data={"email": "nobody@test.example", "password": "wrong password!"})
    assert client.post("/login", data={"email": "nobody@test.example", "password": "x"}).status_code == 429


def _alerts(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [part.split("</div>")[0] for part in html.split('class="alert')[1:]]


def test_a_session_cookie_replayed_after_logout_is_refused(app, client, login, make_user):
    login(make_user("agent"))
    cookie = client.get_cookie("session", domain="recouvra.test").value
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", cookie, domain="recouvra.test")
    response = replay.get("/cases", base_url="https://recouvra.test")
    assert response.status_code == 302 and "/login" in response.location


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_error_pages_are_ours_in_both_languages(client, login, make_user):
    missing = client.get("/no-such-page")
    html = missing.get_data(as_text=True)
    assert missing.status_code == 404 and "Page introuvable" in html and "Werkzeug" not in html
    client.post("/lang/en")
    html = client.get("/no-such-page").get_data(as_text=True)
    assert "Page not found" in html
    login(make_user("agent"))
    client.post("/lang/en")
    forbidden = client.get("/teams")
    assert forbidden.status_code == 403 and "Access denied" in forbidden.get_data(as_text=True)
