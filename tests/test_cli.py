"""The operator CLI: every --json command prints one JSON document on stdout."""
import json

from sqlalchemy import select

from agency.models import Creditor
from agency.security import verify_password
from agency.services.directory import creditor_for_token, find_user


def run_json(runner, *args):
    result = runner.invoke(args=[*args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_creditor_user_token_and_case_show(runner, session, make_case):
    code, doc = run_json(runner, "creditor", "create", "LEND", "--name", "Prêteur", "--country", "BF",
                         "--currency", "XOF", "--playbook", "clinic-po02")
    assert code == 0 and doc["code"] == "LEND" and doc["timezone"] == "Africa/Ouagadougou"
    code, doc = run_json(runner, "creditor", "create", "LEND", "--name", "x", "--country", "BF",
                         "--currency", "XOF")
    assert code == 1 and doc["ok"] is False and [e["field"] for e in doc["errors"]] == ["code"]
    assert "existe déjà" in doc["errors"][0]["message"]

    code, doc = run_json(runner, "token", "create", "--creditor", "LEND")
    assert code == 0 and doc["token"].startswith("rcv_")
    assert creditor_for_token(session, doc["token"]).code == "LEND"

    code, lead = run_json(runner, "user", "create", "a1@x.test", "--role", "agent", "--team", "amicable")
    code2, mate = run_json(runner, "user", "create", "a2@x.test", "--role", "agent", "--team",
                           "amicable", "--pair-with", "a1@x.test")
    assert code == code2 == 0 and lead["password"] and mate["pair_id"]
    assert verify_password(find_user(session, "a1@x.test").password_hash, lead["password"])
    assert find_user(session, "a1@x.test").partner_in_pair().email == "a2@x.test"
    code, doc = run_json(runner, "user", "create", "c@x.test", "--role", "creditor", "--creditor", "LEND")
    assert code == 0 and doc["creditor"] == "LEND"

    creditor = session.scalar(select(Creditor).where(Creditor.code == "LEND"))
    case = make_case(creditor, amounts=(100_000, 25_000), external_ref="DOS-42")
    for ref in (case.reference, "LEND/DOS-42"):
        code, doc = run_json(runner, "case", "show", ref)
        assert code == 0
        assert doc["reference"] == case.reference and doc["external_ref"] == "DOS-42"
        assert doc["balance_minor"] == 125_000 and doc["currency"] == "XOF"
        assert [c["amount_minor"] for c in doc["claims"]] == [100_000, 25_000]
        assert doc["phase"] == "amicable" and doc["status"] == "open" and doc["actions"] == []
        assert doc["debtor"]["timezone"] == "Africa/Dakar"
    code, doc = run_json(runner, "case", "show", "LEND/NOPE")
    assert code == 1 and "no case" in doc["error"]


def test_help_needs_no_environment():
    import os
    import subprocess
    import sys
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    result = subprocess.run([sys.executable, "-m", "agency.cli", "--help"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "demo" in result.stdout and "case" in result.stdout
