"""python -m bench.worklist: the call queue of one agent holding 20,000 of 1,000,000 cases.

Prints the p50/p95 server time of the queue page (/calls, in-process through the WSGI app,
rendering included) and of `agency worklist --json`, then the page again without the
queue's partial indexes (the baseline), and one RESULT line, with the machine's speed during the
run (cpu_ref_ms: a fixed pure-Python loop of a million additions). Goal: page p95 < 50 ms.
DATABASE_URL (default: the local recouvra_bench_ws) is reused when its data is there.
"""
from __future__ import annotations

import os
import statistics
import time

from sqlalchemy import text

BENCH_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/recouvra_bench_ws")
CASES = int(os.environ.get("BENCH_CASES", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "40"))


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _timed(func, runs: int) -> list[float]:
    func()  # warm: templates, caches, the plan
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _cpu_reference_ms() -> float:
    """This machine's speed during the run: the best of five times of a fixed pure-Python loop
    (shared machines vary by two or three times; read the page's times beside it)."""
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += number
        timings.append((time.perf_counter() - start) * 1000)
    return min(timings)


def _app():
    from agency import create_app
    from bench import ensure_database
    url = ensure_database(BENCH_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    return create_app({"SQLALCHEMY_DATABASE_URI": url,
                       "WTF_CSRF_ENABLED": False, "QUEUE_MODE": "sync", "SECRET_KEY": "bench",
                       "SERVER_NAME": "bench.test"})


def _prepare(app) -> None:
    from agency.extensions import db
    from bench import _worklist_data as data
    with app.app_context():
        db.create_all()
        if data.loaded(db.session, CASES) and not os.environ.get("BENCH_RELOAD"):
            print("bench data already loaded: reused")
            if data.ensure_balance_column(db.session):
                print("collection_case.balance_minor added and backfilled from the ledger")
            for name in data.ensure_queue_indexes(db.session):
                print(f"index {name} created")
            return
        db.session.remove()  # its read lock would block the schema's drop
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        db.create_all()
        started = time.perf_counter()
        data.load(db.session, CASES)
        print(f"loaded {CASES} cases in {time.perf_counter() - started:.0f} s")


def _measure(app) -> dict[str, float]:
    import agency.backoffice.calls as calls_views
    from agency.cli import cli
    from bench._worklist_data import NOW, TARGET
    calls_views.now_utc = lambda: NOW  # the page at the bench's instant, as the CLI's --at
    client = app.test_client()
    assert client.post("/login", data={"email": TARGET, "password": "bench-password"}).status_code == 302
    first = client.get("/calls")
    assert first.status_code == 200, first.status_code
    runner = app.test_cli_runner()
    args = ["worklist", "--agent", TARGET, "--at", NOW.isoformat(), "--json"]
    assert runner.invoke(cli, args).exit_code == 0
    page = _timed(lambda: client.get("/calls"), RUNS)
    command = _timed(lambda: runner.invoke(cli, args), RUNS // 2)
    baseline = _without_indexes(app, lambda: _timed(lambda: client.get("/calls"), max(5, RUNS // 4)))
    size = first.get_data(as_text=True).count('name="outcome" value="no_answer"')
    print(f"queue page rows shown: {size}")
    return {"page": _percentiles(page), "cli": _percentiles(command), "baseline": _percentiles(baseline)}


def _without_indexes(app, measure):
    """The page with the queue's partial indexes dropped, then put back."""
    from agency.extensions import db
    from bench._worklist_data import queue_indexes
    indexes = queue_indexes()
    with app.app_context():
        with db.engine.begin() as connection:
            for index in indexes:
                connection.execute(text(f"DROP INDEX IF EXISTS {index.name}"))
        try:
            return measure()
        finally:
            with db.engine.begin() as connection:
                for index in indexes:
                    index.create(connection)


def main() -> None:
    app = _app()
    _prepare(app)
    cpu_before = _cpu_reference_ms()
    results = _measure(app)
    cpu_ref = min(cpu_before, _cpu_reference_ms())
    for name, (p50, p95) in results.items():
        print(f"{name:<9} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    page_p95, base_p95 = results["page"][1], results["baseline"][1]
    print(f"RESULT page_p50_ms={results['page'][0]:.1f} page_p95_ms={page_p95:.1f} "
          f"cli_p50_ms={results['cli'][0]:.1f} cli_p95_ms={results['cli'][1]:.1f} "
          f"baseline_page_p95_ms={base_p95:.1f} goal_p95_ms=50 ratio={base_p95 / page_p95:.2f} "
          f"cpu_ref_ms={cpu_ref:.1f}")


if __name__ == "__main__":
    main()
