"""The portfolio import as a job on the ``low`` queue: it commits after every chunk."""
from __future__ import annotations

from flask import current_app

from agency.domain.intake import IntakeLimits
from agency.domain.timezones import now_utc
from agency.extensions import db
from agency.models import Portfolio, User
from agency.services.audit import Actor, audit_scope
from agency.services.intake import run_portfolio
from workers.queues import enqueue, job, job_app_context


@job(queue="low", timeout=4 * 3600)
def import_portfolio(portfolio_id: int) -> str:
    """Import (or finish) a portfolio; a crash leaves it resumable and RQ retries it."""
    with job_app_context():
        session = db.session
        portfolio = session.get(Portfolio, portfolio_id)
        if portfolio is None or portfolio.status in ("done", "refused", "uploaded"):
            return portfolio.status if portfolio else "missing"
        user = session.get(User, portfolio.created_by_id) if portfolio.created_by_id else None
        actor = Actor.of_user(user) if user else Actor.system("intake")
        try:
            with audit_scope(session, actor, now_utc()):
                run_portfolio(session, portfolio, commit=session.commit,
                              limits=IntakeLimits.from_config(current_app.config))
        except Exception as exc:
            session.rollback()
            _mark_failed(session, portfolio_id, exc)
            raise
        return portfolio.status


def _mark_failed(session, portfolio_id: int, exc: Exception) -> None:
    """Record the failure on the row (shown to the user); the committed chunks stay."""
    portfolio = session.get(Portfolio, portfolio_id)
    portfolio.status = "failed"
    portfolio.message = f"Import interrompu ({type(exc).__name__}) : il reprendra où il s'est arrêté."
    session.commit()


def start_import(portfolio_id: int):
    """Enqueue the import; call after the commit that created the portfolio."""
    return enqueue(import_portfolio, portfolio_id)
