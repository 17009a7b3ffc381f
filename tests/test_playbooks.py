"""Playbooks as stored data: versions, export and import by the CLI, adoption, editing."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest
import yaml
from sqlalchemy import select

from agency.domain.playbook import PlaybookError, dump_yaml, load_builtin, load_yaml
from agency.models.playbook import PlaybookStep, PlaybookVersion
from agency.services.engine.playbooks import (
    adopt_playbook, ensure_builtins, export_playbook, find_version, save_playbook,
)


def test_saving_the_same_content_twice_keeps_one_version(session, scope):
    first, created = save_playbook(session, load_builtin("clinic-po02"))
    again, created_again = save_playbook(session, load_builtin("clinic-po02"))
    assert created and not created_again and again.id == first.id


def test_a_changed_playbook_is_the_next_version_and_the_old_one_stays(session, scope):
    v1, _ = save_playbook(session, load_builtin("clinic-po02"))
    data = yaml.safe_load(dump_yaml(load_builtin("clinic-po02")))
    data["steps"][0]["when"]["offset"] = 7
    v2, created = save_playbook(session, load_yaml(yaml.safe_dump(data)))
    assert created and (v1.version, v2.version) == (1, 2)
    assert find_version(session, "clinic-po02").id == v2.id
    assert find_version(session, "clinic-po02", 1).id == v1.id


def test_steps_are_stored_as_rows_per_segment(session, scope):
    row, _ = save_playbook(session, load_builtin("clinic-po02"))
    steps = session.scalars(select(PlaybookStep).where(PlaybookStep.version_id == row.id)).all()
    p_steps = sorted((s.rank, s.code) for s in steps if s.segment == "P")
    assert p_steps[0] == (0, "w08-call") and p_steps[-1] == (7, "p-handover")
    handover = next(s for s in steps if s.code == "p-handover")
    assert handover.previous_code == "p-formal-notice" and handover.offset_days == 15
    m05 = next(s for s in steps if s.code == "m05-suspend-handover")
    assert m05.offset_months == 5 and m05.offset_days is None
    assert [a.approver_role for a in m05.actions] == ["direction", "direction"]


def test_export_and_import_through_the_cli(runner, tmp_path, session, scope):
    ensure_builtins(session)
    session.flush()
    exported = runner.invoke(["playbook", "export", "clinic-po02", "--format", "json"])
    assert exported.exit_code == 0
    data = json.loads(exported.output)
    assert data["name"] == "clinic-po02" and data["currency"] == "XOF"
    data["title"] = "Clinique — version adaptée"
    path = tmp_path / "clinic.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    imported = json.loads(runner.invoke(["playbook", "import", str(path), "--json"]).output)
    assert imported == {"ok": True, "name": "clinic-po02", "version": 2, "created": True,
                        "steps": 16}
    again = json.loads(runner.invoke(["playbook", "import", str(path), "--json"]).output)
    assert again["created"] is False and again["version"] == 2
    yaml_text = runner.invoke(["playbook", "export", "clinic-po02"]).output
    assert load_yaml(yaml_text).title == "Clinique — version adaptée"


def test_an_invalid_file_is_refused_with_its_problems(runner, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nversion: 1\nsteps: []\n", encoding="utf-8")
    result = runner.invoke(["playbook", "import", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["ok"] is False


def test_adopting_in_another_currency_converts_amounts_at_a_rate(session, make_creditor):
    lender = make_creditor("SOB", country="BF", currency="XOF")
    with pytest.raises(PlaybookError):
        adopt_playbook(session, lender, "bank-amicable-3")
    version = adopt_playbook(session, lender, "bank-amicable-3", rate=Fraction(60))
    assert version.name == "bank-amicable-3-sob" and version.currency == "XOF"
    assert lender.playbook_name == "bank-amicable-3-sob"
    thresholds = [s.overdue_above_minor for s in version.steps if s.overdue_above_minor]
    assert thresholds == [300_000]  # 5 000,00 MAD at 60 F CFA


def test_export_of_an_unknown_playbook_fails(session):
    with pytest.raises(PlaybookError):
        export_playbook(session, "nope")


def test_direction_edits_a_playbook_in_the_back_office(client, login, make_user, session, scope):
    ensure_builtins(session)
    login(make_user("direction"))
    page = client.get("/playbooks/clinic-po02")
    assert page.status_code == 200 and "w08-call" in page.get_data(as_text=True)
    text = export_playbook(session, "clinic-po02").replace("Appel à 8 semaines", "Appel S8")
    response = client.post("/playbooks/clinic-po02", data={"text": text, "note": "libellé"})
    assert response.status_code == 302
    assert session.scalar(select(PlaybookVersion.version).where(
        PlaybookVersion.name == "clinic-po02").order_by(PlaybookVersion.version.desc())) == 2
    assert client.get("/playbooks/clinic-po02/export?format=json").json["steps"][0]["title"] == "Appel S8"


def test_an_agent_cannot_open_playbooks(client, login, make_user):
    login(make_user("agent"))
    assert client.get("/playbooks").status_code == 403
