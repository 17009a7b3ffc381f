"""The debtor's pages speak the debtor's language, not the browser's (#10), with a switch kept for
that debtor only, and money written by that language's rules."""
from __future__ import annotations

import pytest

from debtor_portal import access_token

ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def link(app):
    def make(case) -> str:
        with app.test_request_context():
            return f"/d/{access_token(case)}"
    return make


def test_a_french_debtor_reads_french_in_an_english_browser(client, make_case, make_debtor, link):
    case = make_case(debtor=make_debtor(language="fr"), amounts=(250_000,))
    page = plain(client.get(link(case), headers=ENGLISH_BROWSER).get_data(as_text=True))
    assert "Reste à payer" in page and "250 000 F CFA" in page and '<html lang="fr">' in page
    assert "F CFA250" not in page


def test_an_english_debtor_reads_english_with_english_money(client, make_case, make_debtor, link):
    case = make_case(debtor=make_debtor(language="en"), amounts=(250_000,))
    page = plain(client.get(link(case)).get_data(as_text=True))
    assert "Left to pay" in page and "F CFA 250,000" in page and '<html lang="en">' in page


def test_an_unknown_language_reads_french(client, make_case, make_debtor, link):
    case = make_case(debtor=make_debtor(language="wo"))
    assert "Reste à payer" in client.get(link(case), headers=ENGLISH_BROWSER).get_data(as_text=True)


def test_the_switch_is_kept_for_that_debtor_only(client, make_case, make_debtor, link):
    chooser = make_case(debtor=make_debtor("Awa Diop", language="fr"), amounts=(250_000,))
    other = make_case(debtor=make_debtor("Moussa Ndiaye", language="fr"))
    page = client.get(link(chooser)).get_data(as_text=True)
    assert 'id="debtor-lang-en"' in page and 'id="debtor-lang-fr"' in page
    switched = client.post(f"{link(chooser)}/lang/en")
    assert switched.status_code == 302 and switched.location.endswith(link(chooser))
    assert "F CFA 250,000" in plain(client.get(link(chooser)).get_data(as_text=True))
    assert "Reste à payer" in client.get(link(other)).get_data(as_text=True)
    client.post(f"{link(chooser)}/lang/fr")
    assert "Reste à payer" in client.get(link(chooser)).get_data(as_text=True)


def test_the_switch_refuses_what_it_does_not_know(client, make_case, link):
    case = make_case()
    assert client.post(f"{link(case)}/lang/de").status_code == 404
    assert client.post("/d/not-a-token/lang/en").status_code == 404
    assert client.post(f"{link(case)}/lang/en", csrf=False).status_code == 400  # no CSRF token


def test_the_opt_out_page_speaks_the_debtor_language_too(app, client, make_debtor, scope):
    from agency.services.links import signer_from_config
    debtor = make_debtor(language="en")
    url = signer_from_config(app.config).opt_out_url("sms", "+221771234567", debtor.id)
    path = url[url.index("/d/stop/"):]
    assert "Stop receiving our messages" in client.get(path).get_data(as_text=True)
    client.post(f"{path}/lang/fr")
    assert "Ne plus recevoir nos messages" in client.get(path).get_data(as_text=True)
    assert "C'est noté" in client.post(path).get_data(as_text=True).replace("&#39;", "'")


def test_staff_pages_still_follow_the_browser_and_the_user(client):
    assert "Log in" in client.get("/login", headers=ENGLISH_BROWSER).get_data(as_text=True)
    assert "Se connecter" in client.get("/login").get_data(as_text=True)
