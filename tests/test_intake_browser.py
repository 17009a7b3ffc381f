"""A creditor user uploads a portfolio in a real browser, sees it progress, reads the report."""
import pytest

from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.services.audit import Actor, audit_scope
from agency.services.directory import create_creditor, create_user
from tests.browser import browser_page, live_server

pytestmark = [pytest.mark.commits, pytest.mark.browser]


@pytest.fixture
def served(app, tmp_path):
    with audit_scope(db.session, Actor.system("test"), now_utc()):
        create_creditor(db.session, code="WEB", name="Clinique Web", country="SN", currency="XOF")
        create_user(db.session, email="web@client.example", role="creditor", creditor="WEB",
                    password="browser-pass")
    db.session.commit()
    app.config.update(SERVER_NAME=None, INTAKE_FOLDER=str(tmp_path / "uploads"))
    try:
        with live_server(app) as base:
            yield base
    finally:
        app.config.update(SERVER_NAME="recouvra.test")
        app.config.pop("INTAKE_FOLDER", None)


def test_a_creditor_uploads_and_reads_the_report(served, tmp_path):
    path = tmp_path / "garants.csv"
    path.write_text("Garant;Montant;Téléphone\nASCOMA;1 500 000;33 800 00 00\n"
                    "AXA;abc;\nSAHAM;250 000;\n", encoding="utf-8")
    blocked, console = [], []
    with browser_page() as page:
        page.on("request", lambda r: None if r.url.startswith(served) else blocked.append(r.url))
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"{served}/portal/portfolios")
        page.fill("#email", "web@client.example")
        page.fill("#password", "browser-pass")
        page.click("#login-submit")
        page.wait_for_url(f"{served}/portal/portfolios")
        page.set_input_files("#file", str(path))
        page.click("#upload-submit")
        page.wait_for_selector("#import-report", timeout=30_000)
        # a <progress> element, full: no inline style for the Content-Security-Policy to block
        assert page.eval_on_selector("#import-progress", "p => [p.tagName, p.value, p.max]") == [
            "PROGRESS", 100, 100]
        assert page.inner_text("#count-imported") == "2"
        assert page.inner_text("#count-rejected") == "1"
        assert "Montant" in page.inner_text("#import-report")
        with page.expect_download() as download:
            page.click("#rejected-csv")
        saved = tmp_path / "rejets.csv"
        download.value.save_as(saved)
        assert "AXA;abc" in saved.read_text(encoding="utf-8-sig")
    assert blocked == []
    assert not [text for text in console if "Content Security Policy" in text]
