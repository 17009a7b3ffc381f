"""A staff member logs in, finds a guarantor, opens its case: in a real browser."""
import os

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
