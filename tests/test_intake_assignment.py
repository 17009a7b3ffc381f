"""Intake at speed: new cases created assigned, ids and references in file order, the
phone zone shortcut, and the reader thread that parses ahead of the database."""
from __future__ import annotations

import threading

import phonenumbers
import pytest
from sqlalchemy import select

from agency.domain.timezones import zone_for_phone
from agency.models import AuditEvent, Case, Team
from agency.services.calls.assignment import set_rule
from agency.services.directory import ensure_teams
from agency.services.intake import create_portfolio, run_portfolio
from agency.services.intake.run import _read_ahead
from agency.services.intake.stage import _phone_zone
from tests.test_intake import HEADER, run_file, write


def _file(cases: int) -> str:
    return HEADER + "".join(
        f"D-{n};F-{n};Débiteur {n} Sarr;77 100 00 {n:02d};;{1000 * (n + 1)} ;05/01/2026;\n"
        for n in range(cases))


def _cases(session, creditor) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.creditor_id == creditor.id)
                                .order_by(Case.id)))


def test_new_cases_are_created_assigned_in_turn_across_chunks_and_files(
        session, scope, make_creditor, make_user, tmp_path):
    ensure_teams(session)
    agents = [make_user("agent", team="amicable", name=f"Agent {n}") for n in range(3)]
    creditor = make_creditor("RR")
    run_file(session, creditor, write(tmp_path, _file(4)))
    more = HEADER + "D-9;F-9;Fatou Ndiaye;77 100 00 99;;5 000;05/01/2026;\n"
    run_file(session, creditor, write(tmp_path, more, "v2.csv"))
    cases = _cases(session, creditor)
    ids = [a.id for a in agents]
    assert [c.agent_id for c in cases] == [ids[0], ids[1], ids[2], ids[0], ids[1]]
    team = session.scalar(select(Team.id).where(Team.code == "amicable"))
    assert {c.team_id for c in cases} == {team}
    assert [c.reference for c in cases] == sorted(c.reference for c in cases)
    created = session.scalars(select(AuditEvent.changes).where(
        AuditEvent.verb == "case.created", AuditEvent.creditor_id == creditor.id)
        .order_by(AuditEvent.case_id)).all()
    assert [c["agent_id"] for c in created] == [[None, c.agent_id] for c in cases]
    assert all(c["team_id"] == [None, team] for c in created)
    assert not session.scalars(select(AuditEvent).where(
        AuditEvent.verb == "case.changed", AuditEvent.creditor_id == creditor.id)).all()


def test_a_small_chunk_size_keeps_the_turn(session, scope, make_creditor, make_user, tmp_path):
    ensure_teams(session)
    first, second = (make_user("agent", team="amicable", name=n) for n in ("Awa", "Moussa"))
    creditor = make_creditor("CHUNK")
    path = write(tmp_path, _file(5))
    portfolio = create_portfolio(session, creditor=creditor, source="cli", filename="p.csv",
                                 stored_path=str(path), sha256="x" * 64)
    run_portfolio(session, portfolio, commit=session.flush, chunk_size=2)
    assert [c.agent_id for c in _cases(session, creditor)] == [
        first.id, second.id, first.id, second.id, first.id]


def test_balanced_rules_count_the_file_and_the_book(session, scope, make_creditor, make_user,
                                                    make_case, tmp_path):
    teams = ensure_teams(session)
    first, second = (make_user("agent", team="amicable", name=n) for n in ("Awa", "Moussa"))
    for _ in range(2):
        busy = make_case()
        busy.agent_id, busy.team_id = first.id, teams["amicable"].id
    session.flush()
    set_rule(session, team=teams["amicable"], strategy="by_count")
    creditor = make_creditor("BAL")
    run_file(session, creditor, write(tmp_path, _file(3)))
    assert [c.agent_id for c in _cases(session, creditor)] == [second.id, second.id, first.id]
    set_rule(session, team=teams["amicable"], strategy="by_balance")
    big = HEADER + ("B-1;G-1;Gros Débiteur;;;9 000 000;05/01/2026;\n"
                    "B-2;G-2;Petit;;;1 000;05/01/2026;\n")
    run_file(session, make_creditor("BAL2"), write(tmp_path, big, "big.csv"))
    cases = session.scalars(select(Case).where(Case.external_ref.in_(["B-1", "B-2"]))
                            .order_by(Case.external_ref)).all()
    loads = {first.id: 0, second.id: 0}
    for case in session.scalars(select(Case).where(Case.agent_id.is_not(None),
                                                   Case.id.not_in([c.id for c in cases]))):
        loads[case.agent_id] += case.balance_minor
    lighter = min(loads, key=lambda a: (loads[a], a))
    assert cases[0].agent_id == lighter and cases[1].agent_id != lighter


@pytest.mark.parametrize("region", sorted(phonenumbers.SUPPORTED_REGIONS))
def test_the_phone_zone_shortcut_agrees_with_zone_for_phone(region):
    example = phonenumbers.example_number(region)
    if example is None:
        pytest.fail(f"no example number for {region}")
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    assert _phone_zone(e164) == zone_for_phone(e164)


def test_the_reader_thread_hands_over_its_error_and_stops_when_left():
    def failing():
        yield [1]
        raise ValueError("ligne illisible")

    with _read_ahead(failing()) as batches:
        with pytest.raises(ValueError, match="illisible"):
            assert next(batches) == [1]
            next(batches)
    produced = []

    def endless():
        n = 0
        while True:
            produced.append(n)
            yield [n]
            n += 1

    with _read_ahead(endless()) as batches:
        assert next(batches) == [0]
    count = len(produced)
    assert not any(t.name == "intake-reader" for t in threading.enumerate())
    assert len(produced) == count  # stopped: nothing read after leaving
