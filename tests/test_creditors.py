"""Taking on a creditor from the CLI and the services: its playbook's segments reach its
imported cases, terms are versioned by date, a new rule re-segments open cases once,
every invalid term is refused with nothing changed, and no French creditor's debtor is
contacted before its mandate is recorded."""
from __future__ import annotations

import csv
import hashlib
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agency.domain.contract import ContractRejected
from agency.domain.timezones import UTC
from agency.models import Action, AuditEvent, Case, Creditor, CreditorMandate, CreditorTerms, Debtor
from agency.models.playbook import CaseEngine, CaseStep, PlaybookVersion
from agency.services.audit import Actor, audit_scope
from agency.services.calls.worklist import build_worklist, queue_status
from agency.services.creditors.contact import contact_allowed
from agency.services.creditors.mandates import record_mandate
from agency.services.creditors.onboarding import change_terms
from agency.services.creditors.terms import terms_in_force
from agency.services.engine.daily import run_pass
from agency.services.intake import import_file
from tests._workspace import WEDNESDAY, add_call, pair  # noqa: F401

GUARANTORS = Path("/work/shared/data/clinic_guarantors.csv")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def cli(runner, *args):
    result = runner.invoke(args=[*args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def create_clinic(runner, code="CLIN", *extra):
    code_, doc = cli(runner, "creditor", "create", code, "--name", "Clinique de test", "--country",
                     "SN", "--currency", "XOF", "--playbook", "clinic-po02", "--jurisdiction",
                     "ohada", *extra)
    assert code_ == 0, doc
    return doc


def segments_of(session, code):
    return dict(session.execute(select(Debtor.name, Case.segment).join(Case.debtor).join(Case.creditor)
                                .where(Creditor.code == code)).all())


def test_a_clinic_taken_on_from_the_cli_segments_the_63_guarantors_as_the_seed_does(runner, session):
    doc = create_clinic(runner)
    assert doc["playbook"] == "clinic-po02" and doc["terms"]["own_segments"] is False
    assert [(b["code"], b["min_minor"]) for b in doc["terms"]["segments"]["bands"]] == [
        ("G", 10_000_000), ("M", 5_000_000), ("P", 0)]
    code, report = cli(runner, "import", str(GUARANTORS), "--creditor", "CLIN")
    assert code == 0 and (report["imported"], report["cases_created"], report["rejected"]) == (63, 63, 0)
    with GUARANTORS.open(encoding="utf-8") as stream:
        seed = {row["garant"]: row["categorie"] for row in csv.DictReader(stream, delimiter=";")}
    assert segments_of(session, "CLIN") == seed
    assert sorted(seed.values()).count("G") == 11 and sorted(seed.values()).count("M") == 5
    enrolled = session.scalars(select(PlaybookVersion.name).join(
        CaseEngine, CaseEngine.version_id == PlaybookVersion.id)).all()
    assert len(enrolled) == 63 and set(enrolled) == {"clinic-po02"}


def test_a_new_rule_resegments_the_open_cases_once(runner, session, tmp_path):
    create_clinic(runner)
    cli(runner, "import", str(GUARANTORS), "--creditor", "CLIN")
    terms = tmp_path / "bands.yaml"
    terms.write_text('segments: {basis: annual_billed, bands: [{code: G, min: "20 000 000"}, '
                     '{code: M, min: "4 000 000"}, {code: P, min: "0"}]}\n', encoding="utf-8")
    with GUARANTORS.open(encoding="utf-8") as stream:
        amounts = {row["garant"]: int(row["montant_facture_xof"]) for row in csv.DictReader(stream, delimiter=";")}
    expected = {name: "G" if a >= 20_000_000 else "M" if a >= 4_000_000 else "P" for name, a in amounts.items()}
    moved = sum(expected[n] != s for n, s in segments_of(session, "CLIN").items())
    code, doc = cli(runner, "creditor", "terms", "CLIN", "--set", str(terms), "--reason", "avenant 2")
    assert code == 0 and doc["changed"] is True and doc["terms"]["own_segments"] is True
    assert doc["resegmented"] == {"cases_changed": moved, "segments_changed": moved, "reenrolled": 0}
    session.expire_all()
    assert segments_of(session, "CLIN") == expected and moved > 0
    events = session.scalars(select(AuditEvent).where(AuditEvent.verb == "case.changed",
                                                      AuditEvent.reason == "avenant 2")).all()
    assert len(events) == moved and all(set(e.changes) == {"segment"} for e in events)
    code, again = cli(runner, "creditor", "terms", "CLIN", "--set", str(terms), "--reason", "avenant 2")
    assert code == 0 and again["changed"] is False and again["resegmented"] is None
    assert count(session, AuditEvent, AuditEvent.verb == "case.changed", AuditEvent.reason == "avenant 2") == moved
    assert count(session, CreditorTerms) == 2


def test_a_new_playbook_reenrols_the_open_cases_once_keeping_the_steps_recorded(
        session, scope, make_creditor, make_case):
    clinic = make_creditor("CLIN", playbook="clinic-po02")
    case = make_case(clinic, amounts=(3_000_000,), deposit=date(2026, 1, 5), segment="P")
    with audit_scope(session, Actor.system("tick"), datetime(2026, 3, 2, 6, tzinfo=UTC)):
        run_pass(session, now=datetime(2026, 3, 2, 6, tzinfo=UTC))
    recorded = session.scalars(select(CaseStep.step_code).where(CaseStep.case_id == case.id)).all()
    assert recorded == ["w08-call"]
    old_version = session.get(CaseEngine, case.id).version_id
    change = change_terms(session, clinic, {"playbook": "bank-amicable-3", "playbook_rate": "60"},
                          reason="nouvelle procédure")
    assert change.terms.playbook == "bank-amicable-3-clin" and change.terms.segment_rule is None
    assert (change.resegmented.reenrolled, change.resegmented.segments_changed) == (1, 1)
    engine = session.get(CaseEngine, case.id)
    session.refresh(engine)
    assert engine.version_id != old_version and engine.playbook_version.name == "bank-amicable-3-clin"
    assert engine.next_step_at <= scope.now.date()
    assert session.scalars(select(CaseStep.step_code).where(CaseStep.case_id == case.id)).all() == recorded
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.reason == "nouvelle procédure"))
    assert event.changes == {"segment": ["P", None],
                             "playbook": ["clinic-po02 v1", "bank-amicable-3-clin v1"]}
    again = change_terms(session, clinic, {"playbook": "bank-amicable-3", "playbook_rate": "60"})
    assert again.row is None and again.resegmented is None
    assert clinic.playbook_name == "bank-amicable-3-clin"


def test_the_terms_in_force_on_a_day(session, scope, make_creditor):
    creditor = make_creditor("LEND", country="MA", currency="MAD", terms={"commission_rate": "10 %"})
    today = scope.now.date()
    later = today + timedelta(days=30)
    change = change_terms(session, creditor, {"commission_rate": "12 %", "commission_cap": "30 000,00"},
                          effective_from=later, reason="avenant au 1er du mois")
    assert change.row.effective_from == later
    assert terms_in_force(session, creditor.id, today).commission_bp["amicable"] == 1000
    assert terms_in_force(session, creditor.id, later - timedelta(days=1)).cap_minor is None
    assert terms_in_force(session, creditor.id, later).commission_bp["amicable"] == 1200
    assert terms_in_force(session, creditor.id, later).cap_minor == 3_000_000
    assert terms_in_force(session, creditor.id, date(2020, 1, 1)).commission_bp["amicable"] == 1000
    with pytest.raises(ContractRejected) as refused:
        change_terms(session, creditor, {"vat_rate": "20 %"}, effective_from=today - timedelta(days=1))
    assert [e.field for e in refused.value.field_errors] == ["effective_from"]
    with pytest.raises(ContractRejected) as refused:
        change_terms(session, creditor, {"playbook": "public-fund-monthly"}, effective_from=later)
    assert [e.field for e in refused.value.field_errors] == ["effective_from"]


INVALID = [
    ({"commission_rate": "-15 %"}, "commission_rate"),
    ({"commission_cap": "30 000,00 EUR"}, "commission_cap"),
    ({"plan": {"max_instalments": 24, "min_instalment": "5 000", "max_months": 6}},
     "plan.max_instalments"),
    ({"playbook": "no-such-playbook"}, "playbook"),
]


@pytest.mark.parametrize("data, field", INVALID, ids=[field for _, field in INVALID])
def test_every_invalid_term_is_refused_with_its_field_named_and_nothing_changed(
        runner, session, tmp_path, data, field):
    code, created = cli(runner, "creditor", "create", "CNSS", "--name", "Caisse", "--country", "MA",
                        "--currency", "MAD", "--playbook", "public-fund-monthly")
    assert code == 0
    path = tmp_path / "terms.json"
    path.write_text(json.dumps(data | {"vat_rate": "20 %"}), encoding="utf-8")
    before = (count(session, CreditorTerms), count(session, AuditEvent))
    code, doc = cli(runner, "creditor", "terms", "CNSS", "--set", str(path))
    assert code == 1 and doc["ok"] is False
    assert [error["field"] for error in doc["errors"]] == [field] and doc["errors"][0]["message"]
    assert (count(session, CreditorTerms), count(session, AuditEvent)) == before
    _, shown = cli(runner, "creditor", "show", "CNSS")
    assert shown["terms"] == created["terms"] and shown["terms"]["vat_bp"] == 0


def test_creating_with_an_invalid_term_creates_nothing(runner, session, tmp_path):
    path = tmp_path / "terms.yaml"
    path.write_text('commission_rate: "-5 %"\nchannels: [call, fax]\n', encoding="utf-8")
    code, doc = cli(runner, "creditor", "create", "BAD", "--name", "x", "--country", "SN",
                    "--currency", "XOF", "--playbook", "clinic-po02", "--terms", str(path))
    assert code == 1 and {e["field"] for e in doc["errors"]} == {"commission_rate", "channels"}
    assert count(session, Creditor, Creditor.code == "BAD") == 0
    code, doc = cli(runner, "creditor", "create", "EUR1", "--name", "x", "--country", "FR",
                    "--currency", "EUR", "--playbook", "clinic-po02")
    assert code == 1 and [e["field"] for e in doc["errors"]] == ["playbook"]
    assert "playbook_rate" in doc["errors"][0]["message"]


@pytest.fixture
def paris(session, scope, make_creditor):
    """A creditor under French law, its amounts in euros, running the clinic's playbook."""
    return make_creditor("PARIS", country="FR", currency="EUR", playbook="clinic-po02",
                         jurisdiction="fr", terms={"playbook_rate": "0.001524"})


def test_a_french_creditor_without_mandate_gets_no_action_sent_and_no_call_offered(
        session, scope, paris, make_case, make_debtor, pair, tmp_path):
    case = make_case(paris, make_debtor("Garant Paris", country="FR", phones=("+33612345678",)),
                     amounts=(300_000,), deposit=date(2026, 1, 5), segment="P")
    case.agent_id, case.team_id = pair[0].id, pair[0].team_id
    monday = datetime(2026, 3, 2, 6, tzinfo=UTC)
    with audit_scope(session, Actor.system("tick"), monday):
        counts = run_pass(session, now=monday)
    assert counts["blocked_no_mandate"] == 1 and counts["actions_created"] == 0
    assert count(session, Action, Action.case_id == case.id) == 0
    assert count(session, CaseStep, CaseStep.case_id == case.id) == 0
    call = add_call(session, case, WEDNESDAY - timedelta(hours=1))  # e.g. a call-back asked by phone
    assert build_worklist(session, pair[0], WEDNESDAY) == []
    status = queue_status(session, case, WEDNESDAY)
    assert not status.in_queue and "R124-3" in status.reasons[0]
    for channel in ("call", "sms", "email", "letter"):
        verdict = contact_allowed(session, case, channel, WEDNESDAY)
        assert not verdict.allowed and verdict.code == "mandate_missing"

    record_mandate(session, paris, {"reference": "MDT-PARIS-1", "signed_on": "2026-02-20",
                                    "basis": "Factures impayées", "fees": "15 %"},
                   folder=str(tmp_path))
    assert [e.case for e in build_worklist(session, pair[0], WEDNESDAY)] == [case.reference]
    assert contact_allowed(session, case, "sms", WEDNESDAY).allowed
    call.status = "done"
    with audit_scope(session, Actor.system("tick"), monday + timedelta(days=1)):
        counts = run_pass(session, now=monday + timedelta(days=1))
    assert counts["blocked_no_mandate"] == 0 and counts["actions_created"] == 1
    assert session.scalars(select(Action.step_code).where(Action.case_id == case.id,
                                                          Action.status != "done")).all() == ["w08-call"]


def test_the_channels_the_terms_allow_are_what_contact_allowed_allows(session, scope, make_creditor,
                                                                     make_case, pair):
    creditor = make_creditor("QUIET", terms={"channels": ["letter", "email"]})
    case = make_case(creditor)
    case.agent_id, case.team_id = pair[0].id, pair[0].team_id
    add_call(session, case, WEDNESDAY - timedelta(hours=1))
    assert contact_allowed(session, case, "call", WEDNESDAY).code == "channel_not_allowed"
    assert contact_allowed(session, case, "email", WEDNESDAY).allowed
    assert contact_allowed(session, case, "email", WEDNESDAY).warning == "mandate_missing_warning"
    assert build_worklist(session, pair[0], WEDNESDAY) == []


def test_the_mandate_and_its_document_from_the_cli(runner, session, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MANDATE_FOLDER", str(tmp_path / "mandates"))
    create_clinic(runner, "PAR", "--jurisdiction", "fr")
    document = tmp_path / "mandat signé.pdf"
    document.write_bytes(PDF)
    code, doc = cli(runner, "creditor", "mandate", "PAR", "--reference", "MDT-2026-001", "--date",
                    "2026-02-20", "--document", str(document), "--amount", "1 500 000",
                    "--fees", "15 % HT", "--remittance-method", "virement mensuel")
    assert code == 0, doc
    mandate = doc["mandate"]
    assert (mandate["reference"], mandate["signed_on"], mandate["amount_minor"]) == (
        "MDT-2026-001", "2026-02-20", 1_500_000)
    assert mandate["document"]["name"] == "mandat signé.pdf"
    assert mandate["document"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert doc["contact"]["allowed"] is True and "mandate" not in doc["onboarding"]["missing"]
    row = session.scalar(select(CreditorMandate))
    assert (tmp_path / "mandates" / row.document_path).read_bytes() == PDF
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.verb == "creditor.mandate_recorded"))
    assert event.changes["reference"] == [None, "MDT-2026-001"] and event.actor_label == "system:cli"
    text = tmp_path / "mandat.txt"
    text.write_text("signé", encoding="utf-8")
    code, doc = cli(runner, "creditor", "mandate", "PAR", "--reference", "MDT-2", "--date",
                    "2099-01-01", "--document", str(text))
    assert code == 1 and {e["field"] for e in doc["errors"]} == {"signed_on", "document"}
    assert count(session, CreditorMandate) == 1


def test_list_and_show_say_what_each_onboarding_lacks(runner, session):
    create_clinic(runner, "AAA")
    create_clinic(runner, "BBB", "--jurisdiction", "fr")
    cli(runner, "creditor", "create", "CCC", "--name", "Sans procédure", "--country", "MA",
        "--currency", "MAD")
    cli(runner, "token", "create", "--creditor", "AAA")
    cli(runner, "user", "create", "aaa@client.test", "--role", "creditor", "--creditor", "AAA")
    cli(runner, "creditor", "mandate", "AAA", "--reference", "M-A", "--date", "2026-01-10")
    code, doc = cli(runner, "creditor", "list")
    states = {c["code"]: (c["missing"], c["contact_allowed"]) for c in doc["creditors"]}
    assert code == 0 and states == {
        "AAA": ([], True), "BBB": (["mandate", "users", "token"], False),
        "CCC": (["mandate", "playbook", "users", "token"], True)}
    _, shown = cli(runner, "creditor", "show", "BBB")
    assert shown["contact"]["code"] == "mandate_missing" and shown["onboarding"]["complete"] is False
    assert shown["jurisdiction"] == "fr" and shown["language"] == "fr"
    assert [v["reason"] for v in shown["terms_history"]] == ["prise en charge du donneur d'ordre"]


def test_a_terms_change_is_audited_field_by_field(session, scope, make_creditor):
    creditor = make_creditor("AUD", terms={"commission_rate": "10 %"})
    change_terms(session, creditor, {"commission_rate": {"judicial": "18 %"}, "vat_rate": "18 %"},
                 reason="avenant")
    event = session.scalars(select(AuditEvent).where(AuditEvent.verb == "creditor.terms_changed",
                                                     AuditEvent.creditor_id == creditor.id)
                            .order_by(AuditEvent.id.desc())).first()
    assert event.reason == "avenant" and event.actor_label == "system:test"
    assert event.changes["commission_bp"] == [{"amicable": 1000, "judicial": 1000},
                                              {"amicable": 1000, "judicial": 1800}]
    assert event.changes["vat_bp"] == [0, 1800]
    assert set(event.changes) == {"commission_bp", "vat_bp", "effective_from"}


def test_a_new_rule_reads_the_annual_billed_amount_the_file_gave(session, scope, make_creditor,
                                                                 tmp_path):
    clinic = make_creditor("CA", playbook="clinic-po02")
    path = tmp_path / "garants.csv"
    path.write_text("Garant;Montant;CA annuel\nASCOMA;100 000;12 000 000\nAXA;9 000 000;1 000 000\n",
                    encoding="utf-8")
    import_file(session, creditor=clinic, path=str(path), commit=session.flush)
    assert segments_of(session, "CA") == {"ASCOMA": "G", "AXA": "P"}  # by the billed amount
    kept = dict(session.execute(select(Debtor.name, Case.annual_billed_minor).join(Case.debtor)).all())
    assert kept == {"ASCOMA": 12_000_000, "AXA": 1_000_000}
    change = change_terms(session, clinic, {"segments": {"basis": "annual_billed", "bands": [
        {"code": "G", "min": "11 000 000"}, {"code": "M", "min": "900 000"}, {"code": "P", "min": "0"}]}})
    assert change.resegmented.segments_changed == 1
    session.expire_all()
    assert segments_of(session, "CA") == {"ASCOMA": "G", "AXA": "M"}
    back = change_terms(session, clinic, {"segments": "playbook"})
    assert back.terms.own_segments is False and back.resegmented.segments_changed == 1
    session.expire_all()
    assert segments_of(session, "CA") == {"ASCOMA": "G", "AXA": "P"}
