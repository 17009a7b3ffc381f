import json
import re
import stat

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agency.models import AuditEvent, Case, Claim, Creditor, Debtor, LedgerEntry, User
from agency.security import verify_password
from agency.services.demo import load_demo
from agency.services.directory import find_user

LOGIN_LINE = re.compile(r"^  (\w+) +(\S+@\S+) +(\S+)$", re.M)
COUNTED = (Creditor, User, Debtor, Case, Claim, LedgerEntry, AuditEvent)


def counts(session):
    return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in COUNTED}


def test_demo_loads_the_three_creditors_once(session, scope):
    first = load_demo(session, password="demo-password-1")
    after_first = counts(session)
    second = load_demo(session, password="demo-password-1")
    assert first["created"] and not second["created"] and second["logins"] == []
    assert counts(session) == after_first
    codes = set(session.scalars(select(Creditor.code)))
    assert codes == {"CLINIQUE", "CNSS", "SOBCA"}
    clinic_cases = session.scalars(select(Case).join(Creditor).where(Creditor.code == "CLINIQUE")).all()
    assert len(clinic_cases) == 63
    assert {c.segment for c in clinic_cases} == {"G", "M", "P"}
    currencies = dict(session.execute(select(Creditor.code, Creditor.currency)).all())
    assert currencies == {"CLINIQUE": "XOF", "CNSS": "MAD", "SOBCA": "XOF"}


@pytest.fixture
def instance(app, monkeypatch, tmp_path):
    """The app's instance folder, in a temp dir: the demo keeps its logins there. Passwords
    hashed cheaply: these tests run the demo's bookkeeping, not argon2's strength."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setattr("agency.security._hasher",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    return tmp_path


def printed_logins(result) -> list[tuple[str, str, str]]:
    assert result.exit_code == 0, result.output
    return LOGIN_LINE.findall(result.stdout)


def test_every_demo_run_prints_the_same_logins(runner, instance, session):
    first = printed_logins(runner.invoke(args=["demo"]))
    second = json.loads(runner.invoke(args=["demo", "--json"]).stdout)
    assert not second["created"] and second["passwords_set"] == []
    assert second["logins"] == [{"role": role, "email": email, "password": password}
                                for role, email, password in first]
    assert len(first) == 14 and "already loaded: nothing changed" in runner.invoke(args=["demo"]).stdout
    assert {role for role, _, _ in first} == {"admin", "direction", "team_lead", "agent", "creditor"}
    passwords = [password for *_, password in first]
    assert len(set(passwords)) == 14 and min(map(len, passwords)) >= 12
    assert all(verify_password(find_user(session, email).password_hash, password)
               for _, email, password in first)
    assert stat.S_IMODE((instance / "demo_logins.json").stat().st_mode) == 0o600


def test_forced_or_lost_passwords_are_set_anew(runner, instance, session):
    first = json.loads(runner.invoke(args=["demo", "--password", "First-demo-pass-1", "--json"]).stdout)
    assert first["created"] and {login["password"] for login in first["logins"]} == {"First-demo-pass-1"}
    forced = printed_logins(runner.invoke(args=["demo", "--password", "Forced-demo-pass-1"]))
    assert {password for *_, password in forced} == {"Forced-demo-pass-1"}
    assert printed_logins(runner.invoke(args=["demo"])) == forced  # kept for the next runs
    (instance / "demo_logins.json").unlink()  # lost: the users' passwords cannot be read back
    again = runner.invoke(args=["demo"])
    assert "new passwords set for 14 demo logins" in again.stdout
    renewed = printed_logins(again)
    assert [email for _, email, _ in renewed] == [email for _, email, _ in forced]
    assert all(verify_password(find_user(session, email).password_hash, password)
               and password != "Forced-demo-pass-1" for _, email, password in renewed)
