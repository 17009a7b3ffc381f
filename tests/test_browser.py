"""A staff member logs in, finds a guarantor, opens its case: in a real browser."""
import os

import pyotp
import pytest

from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.services.audit import Actor, audit_scope
from agency.services.demo import load_demo
from tests.browser import browser_page, live_server

pytestmark = [pytest.mark.commits, pytest.mark.browser]


@pytest.fixture
def served(app):
    with audit_scope(db.session, Actor.system("test"), now_utc()):
        load_demo(db.session, password="demo-password-1")
    db.session.commit()
    app.config["SERVER_NAME"] = None
    try:
        with live_server(app) as base:
            yield base
    finally:
        app.config["SERVER_NAME"] = "recouvra.test"


def test_staff_logs_in_and_reads_a_case(served, tmp_path):
    blocked = []
    with browser_page() as page:
        page.on("request", lambda r: None if r.url.startswith(served) else blocked.append(r.url))
        page.goto(f"{served}/cases")
        assert "/login" in page.url
        page.fill("#email", "awa.diop@recouvra.demo")
        page.fill("#password", "demo-password-1")
        page.click("#login-submit")
        page.wait_for_url(f"{served}/cases")
        page.fill("input[name=q]", "ascoma")
        page.click("text=Filtrer")
        page.click("text=RC-")
        page.wait_for_selector("#balance")
        body = page.inner_text("main")
        assert "ASCOMA" in body and "F CFA" in body.replace("\u202f", " ").replace("\u00a0", " ")
        assert "Créances" in body and "Grand livre" in body and "Historique" in body
        page.screenshot(path=str(tmp_path / "case.png"), full_page=True)
        if os.environ.get("RECOUVRA_SCREENSHOTS"):
            page.screenshot(path=os.environ["RECOUVRA_SCREENSHOTS"] + "/case.png", full_page=True)
    assert blocked == []


def enrol_second_factor(page) -> None:
    """As the direction does at its first login: read the secret shown, type its code."""
    page.wait_for_selector("#totp-secret")
    secret = page.inner_text("#totp-secret")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.press("input[name=code]", "Enter")
    page.wait_for_selector("#recovery-codes")


def test_the_direction_approves_in_the_queue_and_saves_a_playbook(served):
    """Both forms post with their CSRF token (they answered 400 without it)."""
    with browser_page() as page:
        page.goto(f"{served}/login")
        page.fill("#email", "direction@recouvra.demo")
        page.fill("#password", "demo-password-1")
        page.click("#login-submit")
        enrol_second_factor(page)  # the direction's first login: a second factor first
        page.goto(f"{served}/approvals")
        first = page.locator("tbody tr").first
        reference = first.locator("a").inner_text()
        assert reference.startswith("RC-")
        first.locator("input[name=action_id]").check()
        with page.expect_navigation():
            page.click("button[value=approve]")
        assert "1 action(s) validée(s)." in page.inner_text("body")
        page.goto(f"{served}/playbooks/clinic-po02")
        page.fill("input[name=note]", "relecture")
        with page.expect_navigation():
            page.click("text=Enregistrer une nouvelle version")
        assert "Aucun changement." in page.inner_text("body")
