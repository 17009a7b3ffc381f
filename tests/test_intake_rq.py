"""The import job in a real RQ worker process, against the real Redis and database."""
import os
import subprocess
import sys

import pytest
from rq import Queue
from sqlalchemy import func, select

from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Case, Portfolio
from agency.services.audit import Actor, audit_scope
from agency.services.directory import create_creditor
from agency.services.intake import create_portfolio, file_digest
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from workers.intake import import_portfolio

pytestmark = pytest.mark.commits


def test_a_worker_process_imports_the_portfolio(tmp_path, redis_conn):
    path = tmp_path / "lot.csv"
    path.write_text("Dossier;Débiteur;Montant\n" + "".join(
        f"K-{n};Garant {n};{1000 + n}\n" for n in range(30)) + "K-x;;12\n", encoding="utf-8")
    with audit_scope(db.session, Actor.system("test"), now_utc()):
        creditor = create_creditor(db.session, code="RQ", name="RQ", country="SN", currency="XOF")
        portfolio = create_portfolio(db.session, creditor=creditor, source="api", filename="lot.csv",
                                     stored_path=str(path), sha256=file_digest(path))
    portfolio_id, creditor_id = portfolio.id, creditor.id
    db.session.commit()  # and no read after it: on SQLite a transaction holds the write lock
    job = Queue("low", connection=redis_conn).enqueue(import_portfolio, portfolio_id)
    env = dict(os.environ, DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL,
               SECRET_KEY="test-secret", AGENCY_INSTANCE_PATH=str(tmp_path))
    output = subprocess.run([sys.executable, "-m", "agency.cli", "worker", "--queues", "low",
                             "--burst"], env=env, capture_output=True, timeout=180).stdout
    assert job.return_value(refresh=True) == "done", output.decode()[-2000:]
    db.session.rollback()
    done = db.session.get(Portfolio, portfolio_id)
    assert (done.status, done.imported, done.rejected, done.cases_created) == ("done", 30, 1, 30)
    assert db.session.scalar(select(func.count(Case.id)).where(Case.creditor_id == creditor_id)) == 30
