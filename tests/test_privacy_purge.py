"""Retention: a debtor's personal data is anonymised once its last case has been closed longer
than its jurisdiction's limitation period plus the margin; the ledger's amounts and the audit
trail's rows stay; a dry run shows what would go; each purge is logged; a daily job does it."""
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from agency.domain.retention import RetentionPolicy
from agency.domain.timezones import UTC
from agency.models import (AuditEvent, CallLog, Debtor, DebtorAddress, DebtorEmail, DebtorPhone, LedgerEntry,
                           OutboundMessage, Partner, PartnerTask, PrivacyPurge)
from agency.services.audit import Actor, audit_scope
from agency.services.cases import change_phase
from agency.services.links import LinkSigner
from agency.services.messages import queue_message
from agency.services.partners import send_task
from agency.services.privacy.purge import purge
from tests.conftest import T0
from workers.privacy import purge_personal_data
from workers.schedule import _periodic

POLICY = RetentionPolicy(margin_days=90)
CLOSED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
FR_CONSUMER_END = datetime(2028, 3, 2, 12, 0, tzinfo=UTC) + timedelta(days=90)  # 2 years + margin


def closed_case(session, make_case, make_creditor, make_debtor, *, country="FR", currency="EUR",
                kind="person", at=CLOSED, name="Jeanne Martin"):
    creditor = make_creditor(country=country, currency=currency)
    debtor = make_debtor(name, country=country, kind=kind, phones=("+33612345678",),
                         emails=("jeanne@example.fr",), national_id="2850375123456")
    case = make_case(creditor, debtor, amounts=(120_00, 30_00))
    queue_message(session, channel="email", to="jeanne@example.fr", body="Rappel", debtor=debtor, case=case,
                  idempotency_key=f"purge-{case.id}")
    session.add(CallLog(case_id=case.id, debtor_id=debtor.id, phone_id=debtor.phones[0].id, at=T0,
                        outcome="reached", reached=True, note="Jeanne dit être au chômage"))
    with audit_scope(session, Actor.system("test"), at):
        change_phase(session, case, "closed", reason="soldé par Jeanne Martin")
    return case


def purge_at(session, at, dry_run=False, policy=POLICY):
    with audit_scope(session, Actor.system("test"), at):
        return purge(session, policy, dry_run=dry_run)


def test_nothing_goes_before_the_end_of_retention(session, scope, make_case, make_creditor, make_debtor):
    closed_case(session, make_case, make_creditor, make_debtor)
    assert purge_at(session, FR_CONSUMER_END - timedelta(hours=1), dry_run=True) == []
    assert purge_at(session, FR_CONSUMER_END - timedelta(hours=1)) == []


def test_the_dry_run_lists_what_would_go_and_changes_nothing(session, scope, make_case, make_creditor,
                                                             make_debtor):
    case = closed_case(session, make_case, make_creditor, make_debtor)
    [due] = purge_at(session, FR_CONSUMER_END, dry_run=True)
    assert due.due.debtor_id == case.debtor_id and due.due.keep_until == FR_CONSUMER_END
    assert due.erased["phones"] == 1 and due.erased["emails"] == 1 and due.erased["addresses"] == 1
    assert due.erased["messages_to_debtor"] == 1 and due.erased["calls"] == 1
    assert due.erased["audit_events"] >= 2  # the message's recipient, the closure's reason
    session.expire_all()
    assert session.get(Debtor, case.debtor_id).name == "Jeanne Martin"
    assert session.scalar(select(func.count(PrivacyPurge.id))) == 0


def test_the_purge_anonymises_and_keeps_amounts_and_trail(session, scope, make_case, make_creditor, make_debtor):
    case = closed_case(session, make_case, make_creditor, make_debtor)
    debtor_id = case.debtor_id
    events_before = session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.case_id == case.id))
    ledger_before = session.execute(select(LedgerEntry.id, LedgerEntry.amount_minor)
                                    .where(LedgerEntry.case_id == case.id).order_by(LedgerEntry.id)).all()
    [outcome] = purge_at(session, FR_CONSUMER_END)
    assert outcome.erased["identity"] == 1 and outcome.erased["phones"] == 1
    session.expire_all()
    debtor = session.get(Debtor, debtor_id)
    assert debtor.name == f"Débiteur anonymisé #{debtor_id}" and debtor.national_id is None
    assert "martin" not in debtor.name_key
    for model in (DebtorPhone, DebtorEmail, DebtorAddress):
        assert session.scalar(select(func.count(model.id)).where(model.debtor_id == debtor_id)) == 0
    message = session.scalar(select(OutboundMessage).where(OutboundMessage.debtor_id == debtor_id))
    assert message.to_address == "[effacé]" and message.body == "[effacé]"
    call = session.scalar(select(CallLog).where(CallLog.case_id == case.id))
    assert call.note is None and call.phone_id is None and call.outcome == "reached"
    # the ledger is untouched; the trail keeps every row, its personal values redacted
    assert session.execute(select(LedgerEntry.id, LedgerEntry.amount_minor).where(
        LedgerEntry.case_id == case.id).order_by(LedgerEntry.id)).all() == ledger_before
    events = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)).all()
    assert len(events) == events_before
    text = json.dumps([[e.changes, e.reason] for e in events], ensure_ascii=False)
    assert "jeanne" not in text.lower() and "Martin" not in text
    sent = next(e for e in events if e.verb == "message.queued")
    assert sent.changes["to"] == [None, "[effacé]"] and sent.changes["channel"] == [None, "email"]
    # the purge is recorded, and a second run finds nothing
    log = session.scalar(select(PrivacyPurge).where(PrivacyPurge.debtor_id == debtor_id))
    assert log.kept_until == FR_CONSUMER_END and log.last_closed_at == CLOSED and log.actor_label == "system:test"
    verbs = set(session.scalars(select(AuditEvent.verb).where(AuditEvent.debtor_id == debtor_id)))
    assert {"privacy.purged", "audit.redacted"} <= verbs
    assert purge_at(session, FR_CONSUMER_END + timedelta(days=30)) == []


def test_retention_follows_the_jurisdiction_and_every_case(session, scope, make_case, make_creditor,
                                                           make_debtor):
    ohada = closed_case(session, make_case, make_creditor, make_debtor, country="SN", currency="XOF",
                        kind="company", name="SOCIETE ALPHA")
    still_open = closed_case(session, make_case, make_creditor, make_debtor, name="Paul Durand")
    make_case(make_creditor(country="FR", currency="EUR"), session.get(Debtor, still_open.debtor_id))
    assert purge_at(session, FR_CONSUMER_END + timedelta(days=1)) == []  # OHADA: 5 years; Paul: a case open
    five_years = datetime(2031, 3, 2, 12, 0, tzinfo=UTC) + timedelta(days=90)
    assert [o.due.debtor_id for o in purge_at(session, five_years, dry_run=True)] == [ohada.debtor_id]
    longer = RetentionPolicy(margin_days=90, overrides={("ohada", None): 10})
    assert purge_at(session, five_years, dry_run=True, policy=longer) == []


def test_the_cli_dry_run_then_purge_and_documents_go(app, runner, session, scope, make_case, make_creditor,
                                                     make_debtor, tmp_path, monkeypatch):
    case = closed_case(session, make_case, make_creditor, make_debtor)
    partner = Partner(kind="bailiff", name="Me Diagne", email="etude@partner.test", country="FR")
    session.add(partner)
    session.flush()
    sent = send_task(session, case=case, partner=partner, kind="bailiff", instructions="Signifier à Jeanne",
                     links=LinkSigner("s", "https://h"))
    deed = tmp_path / "acte.pdf"
    deed.write_bytes(b"%PDF acte")
    sent.task.document_name, sent.task.document_path = "acte.pdf", str(deed)
    session.flush()
    at = FR_CONSUMER_END.isoformat()
    result = runner.invoke(["privacy", "purge", "--dry-run", "--at", at, "--json"])
    document = json.loads(result.stdout)
    assert result.exit_code == 0 and document["dry_run"] is True
    [listed] = document["debtors"]
    assert listed["debtor_id"] == case.debtor_id and listed["cases"] == [case.reference]
    assert listed["erased"]["partner_tasks"] == 1 and "Jeanne" not in result.stdout
    assert session.get(Debtor, case.debtor_id).name == "Jeanne Martin" and deed.exists()
    result = runner.invoke(["privacy", "purge", "--at", at, "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["debtors"][0]["debtor_id"] == case.debtor_id
    session.expire_all()
    assert session.get(Debtor, case.debtor_id).name.startswith("Débiteur anonymisé")
    task = session.get(PartnerTask, sent.task.id)
    assert task.instructions == "[effacé]" and task.document_path is None and not deed.exists()
    assert json.loads(runner.invoke(["privacy", "purge", "--at", at, "--json"]).stdout)["debtors"] == []
    bad = runner.invoke(["privacy", "purge", "--at", "tomorrow", "--json"])
    assert bad.exit_code == 1 and json.loads(bad.stdout)["ok"] is False


def test_a_daily_job_purges(app, session, scope, make_case, make_creditor, make_debtor, monkeypatch):
    assert any(p.name == "privacy.purge" and p.func is purge_personal_data for p in _periodic())
    long_ago = datetime(2020, 1, 6, 12, 0, tzinfo=UTC)
    case = closed_case(session, make_case, make_creditor, make_debtor, at=long_ago)
    session.commit()
    result = purge_personal_data(datetime.now(UTC).isoformat())
    assert [d["debtor_id"] for d in result["purged"]] == [case.debtor_id]
    session.expire_all()
    assert session.get(Debtor, case.debtor_id).name.startswith("Débiteur anonymisé")


def test_a_bad_retention_setting_is_refused(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_YEARS", "fr=two")
    result = runner.invoke(["privacy", "purge", "--dry-run", "--json"])
    assert result.exit_code == 1 and "RETENTION_YEARS" in json.loads(result.stdout)["error"]


@pytest.mark.parametrize("verb", ["case.changed"])
def test_the_closure_reason_is_redacted_not_dropped(session, scope, make_case, make_creditor, make_debtor, verb):
    case = closed_case(session, make_case, make_creditor, make_debtor)
    purge_at(session, FR_CONSUMER_END)
    session.expire_all()
    closure = session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.verb == verb,
                                                      AuditEvent.at == CLOSED))
    assert closure.reason == "[effacé]" and closure.changes["status"] == ["open", "closed"]
