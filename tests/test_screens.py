"""Every page of the back-office, of the creditor portal, of the debtor's and the partner's
links, rendered with the demo data as each role, in French and in English: no raw code in
what the page shows, and a CSRF token in every form that posts."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from agency.domain.labels import AUDIT_VERB_FAMILIES, LABELS
from agency.domain.money import Money
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Action, Case, Creditor, OutboundMessage, Partner, PlaybookVersion, User
from agency.services.approvals import decide
from agency.services.links import LinkSigner
from agency.services.audit import Actor, audit_scope
from agency.services.calls.log import CallInput, log_call
from agency.services.demo import load_demo
from agency.services.engine.daily import run_pass
from agency.services.engine.holds import hold_case
from agency.services.intake import create_portfolio, import_file
from agency.services.ledger import post_entry, reverse_entry
from agency.services.partners import report_task, send_task
from agency.services.engine.playbooks import playbook_of
from debtor_portal import access_token
from workers.messages import dispatch
from tests.conftest import BrowserClient
from tests.conftest import _truncate_all as truncate_all
from tests.factories import sign_in
from tests.screens import data_text, detector, forms_without_token, french_left, read_page

PASSWORD = "demo-password-1"
LOGINS = {"admin": "admin@recouvra.demo", "direction": "direction@recouvra.demo",
          "team_lead": "chef.amiable@recouvra.demo", "agent": "awa.diop@recouvra.demo",
          "creditor": "cnss@client.demo"}
SKIPPED = {"auth.logout", "auth.set_language", "auth.health", "static", "bootstrap.static"}
EXTRA_QUERIES = {"backoffice.outbox": ("?status=sent", "?status=cancelled"),
                 "backoffice.supervision": ("?period=week",), "backoffice.cases": ("?phase=amicable",)}


def _as(session, email: str):
    return audit_scope(session, Actor.of_user(session.scalar(select(User).where(User.email == email))),
                       now_utc())


def _case_of(session, code: str, agent_email: str | None = None) -> Case:
    query = select(Case).join(Creditor).where(Creditor.code == code).order_by(Case.id)
    if agent_email:
        query = query.join(User, User.id == Case.agent_id).where(User.email == agent_email)
    return session.scalars(query).first()


def _calls_and_money(session, case: Case) -> None:
    agent = session.scalar(select(User).where(User.email == LOGINS["agent"]))
    with _as(session, LOGINS["agent"]):
        log_call(session, case=case, agent=agent, call=CallInput(outcome="no_answer"))
        log_call(session, case=case, agent=agent, call=CallInput(
            outcome="promise", promise_date=now_utc().date() + timedelta(days=7),
            promise_amount=Money(100_000, case.currency), note="Paiera la semaine prochaine"))
    with _as(session, LOGINS["admin"]):
        paid = post_entry(session, case=case, kind="payment", amount=Money(-60_000, case.currency),
                          description="Virement reçu")
        reverse_entry(session, entry=paid, reason="Virement rejeté par la banque")
        post_entry(session, case=case, kind="payment", amount=Money(-40_000, case.currency),
                   description="Virement reçu")


def _partners(session, case: Case) -> list[str]:
    """Two partner missions on the case, one reported; the tokens of their links."""
    tokens = []
    with _as(session, LOGINS["agent"]):
        for kind, report in (("home_visit", None), ("bailiff", "Acte signifié à personne.")):
            partner = session.scalar(select(Partner).where(Partner.kind == kind))
            sent = send_task(session, case=case, partner=partner, kind=kind, instructions="Rencontrer le débiteur.",
                             links=LinkSigner("test-secret", "https://recouvra.test"), due_date=now_utc().date() + timedelta(days=10))
            tokens.append(LinkSigner("test-secret", "https://recouvra.test").partner_token(sent.task.link_nonce))
            if report:
                report_task(session, task=sent.task, outcome="done", report=report)
    return tokens


def _passes_and_decisions(session, start) -> None:
    """Later daily passes (handovers, the fund's own approvals), then the direction decides."""
    for days in (35, 125):
        with audit_scope(session, Actor.system("tick"), start + timedelta(days=days)):
            run_pass(session, now=start + timedelta(days=days))
    direction = session.scalar(select(User).where(User.email == LOGINS["direction"]))
    pending = session.scalars(select(Action).where(Action.approval == "pending",
                                                   Action.approver_role == "direction")
                              .order_by(Action.kind.desc(), Action.id)).all()
    handover = [a.id for a in pending if a.kind == "handover"][:1]
    others = [a.id for a in pending if a.kind != "handover"]
    with _as(session, LOGINS["direction"]):
        decide(session, direction, handover + others[:2], approve=True)
        decide(session, direction, others[2:3], approve=False, reason="Montant à vérifier")


def _portfolios(session, tmp_path) -> dict[str, int]:
    fund = session.scalar(select(Creditor).where(Creditor.code == "CNSS"))
    path = tmp_path / "liste-cnss.csv"
    path.write_text("N° dossier;Débiteur;Montant;Date facture\nX-1;Atlas Transports SARL;1 500,00;05/01/2026\n"
                    "X-2;;10;05/01/2026\n", encoding="utf-8")
    mapping_path = tmp_path / "colonnes.csv"
    mapping_path.write_text("Qui;Combien;Note\nAwa Diop;1000;vip\n", encoding="utf-8")
    with _as(session, LOGINS["creditor"]):
        done = import_file(session, creditor=fund, path=str(path), commit=session.flush, source="portal")
    with _as(session, LOGINS["agent"]):
        uploaded = create_portfolio(session, creditor=fund, source="backoffice", filename="colonnes.csv",
                                    stored_path=str(mapping_path), sha256="0" * 64, status="uploaded")
    return {"done": done.id, "uploaded": uploaded.id}


@pytest.fixture(scope="module")
def busy_demo(app, tmp_path_factory):
    """The demo, months on: calls, a promise, payments, a hold, partner missions, approvals
    decided, imports; and the rows each route with arguments is opened with.
    Committed once for the module's tests (which only read it), emptied after them."""
    with app.app_context():
        rows = _busy_demo(app, db.session, tmp_path_factory.mktemp("imports"))
        db.session.remove()
    yield rows
    with app.app_context():
        truncate_all()


def _busy_demo(app, session, folder) -> dict:
    """The demo loaded 130 days ago and two daily passes since (so tasks are due or late),
    then today's work."""
    start = now_utc() - timedelta(days=130)
    with audit_scope(session, Actor.system("cli"), start):
        load_demo(session, password=PASSWORD)
    _passes_and_decisions(session, start)
    clinic_case = _case_of(session, "CLINIQUE", LOGINS["agent"])
    _calls_and_money(session, clinic_case)
    tokens = _partners(session, clinic_case)
    held = _case_of(session, "SOBCA")
    with _as(session, LOGINS["direction"]):
        hold_case(session, held, until=now_utc().date() + timedelta(days=20),
                  reason="Dérogation : difficultés de trésorerie", approved_by="Aïssatou Ba")
    portfolios = _portfolios(session, folder)
    fund_case = _case_of(session, "CNSS")
    with app.test_request_context():
        debtor_token = access_token(clinic_case)
    rows = {
        "backoffice.case": [{"reference": c.reference} for c in (clinic_case, held, fund_case)],
        "creditor_portal.case": [{"reference": fund_case.reference}],
        "backoffice.portfolio": [{"portfolio_id": i} for i in portfolios.values()],
        "backoffice.portfolio_mapping": [{"portfolio_id": portfolios["uploaded"]}],
        "creditor_portal.portfolio": [{"portfolio_id": portfolios["done"]}],
        "backoffice.playbook_detail": [{"name": n} for n in sorted(set(session.scalars(
            select(PlaybookVersion.name))))],
        "debtor_portal.case": [{"token": debtor_token}],
        "partner_links.task": [{"token": t} for t in tokens],
        "backoffice.export_json": [{"debtor_id": clinic_case.debtor_id}],
        "backoffice.creditor_page": [{"code": code} for code in ("CLINIQUE", "CNSS", "SOBCA")],
        "backoffice.export_pdf": [{"debtor_id": clinic_case.debtor_id}],
        "playbooks": [playbook_of(row) for row in session.scalars(select(PlaybookVersion))],
    }
    session.commit()
    dispatch(list(session.scalars(select(OutboundMessage.id).where(OutboundMessage.status == "queued"))))
    return rows


def page_urls(app, audience: str, rows: dict) -> list[str]:
    """Every page ``audience`` (a role, or 'debtor' for the signed links) may open: each GET
    route, with its arguments taken from the demo's rows, and a few filtered variants."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        if "GET" not in rule.methods or rule.endpoint in SKIPPED or rule.rule.startswith("/api/"):
            continue
        if audience not in getattr(view, "allowed", ()) or rule.endpoint.endswith("_rejected"):
            continue
        if rule.endpoint in ("backoffice.playbook_export", "debtor_portal.stop",
                             "backoffice.creditor_mandate_document"):
            continue  # a file download; the opt-out link is walked on its own below
        if rule.arguments:
            assert rule.endpoint in rows, f"no demo row to open {rule.endpoint} with"
            built = [rule.build(values, append_unknown=False)[1] for values in rows[rule.endpoint]]
        else:
            built = [rule.build({}, append_unknown=False)[1]]
        urls += built + [built[0] + query for query in EXTRA_QUERIES.get(rule.endpoint, ())]
    return urls


def walk(client, urls: list[str], who: str, locale: str, codes, french=None) -> list[str]:
    problems = []
    for url in urls:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200 and "/login" not in response.request.path or url == "/login", \
            (who, url, response.status_code)
        if not response.mimetype == "text/html":
            continue
        html = response.get_data(as_text=True)
        assert f'<html lang="{locale}">' in html, (who, url)
        text, _forms = read_page(html)
        problems += [f"{who} {url}: «{hit}» in …{around}…" for hit, around in codes.find(text, locale).items()]
        problems += [f"{who} {url}: French «{m.group(0)}» in …{text[max(0, m.start() - 60):m.end() + 60]}…"
                     for m in (french.finditer(text) if french else ())]
        problems += [f"{who} {url}: a form posting to {action} has no CSRF token"
                     for action in forms_without_token(html)]
    return problems


def english_of_labels(app) -> dict[str, str]:
    """Each French label of agency.domain.labels -> its English."""
    texts = {text for table in LABELS.values() for text in table.values()}
    texts |= {name for name, _table in AUDIT_VERB_FAMILIES.values()}
    with app.test_request_context(), force_locale("en"):
        return {text: gettext(text) for text in texts}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_no_page_shows_a_raw_code_and_every_form_carries_its_token(app, session, busy_demo, locale):
    """French pages: no code, no English word of a code; English pages: no code, no French
    label whose English exists (French data, such as a step's title, shows as written)."""
    codes = detector(busy_demo["playbooks"], [c.name for t in db.metadata.tables.values() for c in t.columns])
    french = french_left(english_of_labels(app), data_text(session)) if locale == "en" else None
    app.test_client_class = BrowserClient
    problems = []
    for role, email in LOGINS.items():
        client = signed_in(app.test_client(), session, email)
        client.post(f"/lang/{locale}")
        problems += walk(client, page_urls(app, role, busy_demo), role, locale, codes, french)
    anonymous = app.test_client()
    anonymous.post(f"/lang/{locale}")
    for values in busy_demo["debtor_portal.case"]:  # a debtor's pages speak the debtor's choice
        anonymous.post(f"/d/{values['token']}/lang/{locale}")
    problems += walk(anonymous, page_urls(app, "debtor", busy_demo) + ["/login"], "anonymous", locale,
                     codes, french)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return read_page(response.get_data(as_text=True))[0]


def signed_in(client, session, email: str):
    return sign_in(client, session, session.scalar(select(User).where(User.email == email)), PASSWORD)


def logged_in(app, role: str, locale: str = "fr"):
    app.test_client_class = BrowserClient
    client = signed_in(app.test_client(), db.session, LOGINS[role])
    client.post(f"/lang/{locale}")
    return client


def test_the_history_reads_in_words_money_and_names(app, busy_demo):
    reference = busy_demo["backoffice.case"][0]["reference"]
    french = page_text(logged_in(app, "admin"), f"/cases/{reference}")
    for said in ("Awa Diop · Appel : pas de réponse", "Awa Diop · Promesse de paiement",
                 "Montant : 100 000 F CFA", "Grand livre : paiement Montant : -60 000 F CFA",
                 "Écriture annulée", "Virement rejeté par la banque", "Facture FAC-",
                 "Mission envoyée au partenaire Partenaire : Visites Dakar Plateau Mission : Visite à domicile",
                 "Compte rendu du partenaire Résultat : Mission réalisée", "Suites : Contre-appel",
                 "Ligne de commande · Dossier ouvert Phase : Amiable Statut : En cours Segment : ",
                 "Gestionnaire : Awa Diop", "Équipe : Amiable"):
        assert said in french, f"{said!r} not in {french[french.find('Historique'):]}"
    english = page_text(logged_in(app, "admin", "en"), f"/cases/{reference}")
    for said in ("Awa Diop · Call: no answer", "Ledger: payment Amount:", "Invoice FAC-",
                 "Task sent to the partner Partner: Visites Dakar Plateau Task: Home visit",
                 "Command line · Case opened Phase: Amicable Status: Open"):
        assert said in english, f"{said!r} not in {english[english.find('History'):]}"


def test_the_approval_queues_link_our_references(app, busy_demo):
    staff = logged_in(app, "direction").get("/approvals").get_data(as_text=True)
    assert 'href="/cases/RC-' in staff and "case_id" not in staff
    text = read_page(staff)[0]
    assert "Direction" in text and "Mise en demeure" in text
    portal = logged_in(app, "creditor").get("/portal/approvals").get_data(as_text=True)
    assert 'href="/portal/cases/RC-' in portal and "CNSS-" in read_page(portal)[0]


def test_the_partners_mission_email_names_the_mission_in_french(app, busy_demo):
    text = page_text(logged_in(app, "agent", "en"), "/outbox")
    assert "Mission visite à domicile - dossier RC-" in text
    assert "Nous vous confions une mission (commissaire de justice)" in text
