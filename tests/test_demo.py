from sqlalchemy import func, select

from agency.models import AuditEvent, Case, Claim, Creditor, Debtor, LedgerEntry, User
from agency.services.demo import load_demo

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


def test_demo_cli_twice(runner):
    import json
    first = json.loads(runner.invoke(args=["demo", "--password", "demo-password-1", "--json"]).stdout)
    second = runner.invoke(args=["demo"])
    assert first["created"] and "already loaded" in second.stdout
